"""Recipes: small rewrites and setup cells that let a tutorial's code run in a notebook.

Each recipe is a module of pure functions on code text, used by the
`runnability` pass; every change it makes is marked with a `# changed:` or
`# added:` comment in the code the learner sees.

    asyncio_run      asyncio.run(main()) -> await main()
    flask_app        app.run() -> ask the app's routes with Flask's test client
    imports          a name the tutorial imports in another cell -> the same import
    django_project   elided INSTALLED_APPS filled in; a setup cell loads the project
    workspace        folders for %%writefile, src/ layouts on sys.path
"""
