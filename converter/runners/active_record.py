"""Active Record blocks (Rails models, migrations, queries): run on Active Record without Rails.

A Rails tutorial's model code needs only Active Record and a database, not a Rails
application: Debian's `ruby-activerecord` and `ruby-sqlite3` give both. A setup
cell writes `course_active_record.rb`, which connects Active Record to a SQLite
file in the notebook's folder and plays the parts of Rails the tutorial relies
on (`ApplicationRecord`, ActiveSupport's `1.day`, `rails db:migrate` after a cell
defines a migration); each Active Record cell runs `ruby -r ./course_active_record.rb`.
Every Ruby cell is its own process, so the database file is the state the cells
share, as a Rails app's database is.
"""

from __future__ import annotations

import re

PRELUDE_FILE = "course_active_record.rb"
DATABASE_FILE = "course_active_record.sqlite3"
MAGIC = f"%%script ruby -r ./{PRELUDE_FILE}"
INSTALL = "sudo apt-get install ruby-activerecord ruby-sqlite3"

# Code that needs more of Rails than Active Record: controllers, jobs, mailers, the app object.
RAILS_APP = re.compile(
    r"\b(ActionController|ApplicationController|ActionCable|ActiveJob|ApplicationJob|ActionMailer|"
    r"ApplicationMailer|Rails\.\w+)\b|^\s*(before_action|render|redirect_to|params)\b|@\w+\s*=.*\bparams\b",
    re.M)
ACTIVE_RECORD = re.compile(
    r"\b(ApplicationRecord|ActiveRecord|ActiveSupport)\b|"
    r"^\s*(has_many|belongs_to|has_one|has_and_belongs_to_many|validates?|scope|before_\w+|after_\w+)\s+:|"
    r"\b\d+\.(days?|hours?|minutes?|weeks?|months?|years?)\b|\.(midnight|ago|from_now)\b", re.M)
# Constants the prelude provides.
CONSTANTS = frozenset({"ApplicationRecord", "ActiveRecord", "ActiveSupport"})

PRELUDE = f'''\
# Active Record without a Rails app: a SQLite database in this folder.
require "active_record"
require "active_support/all"

ActiveRecord::Base.establish_connection(adapter: "sqlite3", database: "{DATABASE_FILE}")
ActiveRecord::Migration.verbose = false

# This Active Record may be older than the tutorial's: `Migration[7.0]` runs as the current version.
compat = ActiveRecord::Migration::Compatibility
%w[7.0 7.1 7.2 8.0 8.1].each do |version|
  name = "V#{{version.tr(".", "_")}}"
  compat.const_set(name, ActiveRecord::Migration::Current) unless compat.const_defined?(name, false)
end

class ApplicationRecord < ActiveRecord::Base
  self.abstract_class = true
end

# As `rails db:migrate` would: when the cell ends, apply each migration it defines, once.
at_exit do
  next if $!
  conn = ActiveRecord::Base.connection
  conn.execute("CREATE TABLE IF NOT EXISTS course_migrations (name TEXT PRIMARY KEY)")
  done = conn.select_values("SELECT name FROM course_migrations")
  ActiveRecord::Migration.descendants.select(&:name).reject {{ |m| done.include?(m.name) }}.each do |migration|
    migration.migrate(:up)
    conn.execute("INSERT INTO course_migrations VALUES (#{{conn.quote(migration.name)}})")
  end
end
'''

# The setup cell (Python): a fresh database for every run, so that reruns give the same output.
SETUP = f'''\
from pathlib import Path

Path({DATABASE_FILE!r}).unlink(missing_ok=True)
Path({PRELUDE_FILE!r}).write_text(\'\'\'\\
{PRELUDE}\'\'\')
'''


def uses_active_record(code: str) -> bool:
    return bool(ACTIVE_RECORD.search(code))


def needs_rails_app(code: str) -> bool:
    return bool(RAILS_APP.search(code))
