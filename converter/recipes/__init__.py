"""Recipes: small rewrites and setup cells that let a tutorial's code run in a notebook.

Each recipe is a module of pure functions on code text, used by the
`runnability` pass; every change it makes is marked with a `# changed:` or
`# added:` comment in the code the learner sees.

    asyncio_run      asyncio.run(main()), loop.run_until_complete(main()), runner.run(main())
                     -> await main()
    flask_app        app.run() on an app from Flask(), a factory or a tutorial module
                     -> ask the app's routes with Flask's test client
    imports          a name the tutorial imports in another cell -> the same import
    django_project   elided INSTALLED_APPS filled in; a setup cell loads the project (settings
                     and apps found in any common layout) on an in-memory database with its tables

Each recipe is tested on several project layouts, end to end in the sandbox:
tests/corpus/layouts/ and tests/test_recipe_layouts.py.
    workspace        folders for %%writefile, src/ layouts on sys.path
"""
