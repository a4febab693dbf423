"""Rails model code runs on Active Record without Rails: what runs, and the prelude really working."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from converter import runtimes
from converter.runners import active_record, ruby
from converter.runners.verdict import Context

MIGRATION = """class CreateArticles < ActiveRecord::Migration[7.0]
  def change
    create_table :articles do |t|
      t.string :title, null: false
      t.boolean :published, default: false
      t.timestamps
    end
    add_index :articles, :title
  end
end
"""
MODEL = "class Article < ApplicationRecord\n  scope :published, -> { where(published: true) }\nend\n"


@pytest.mark.parametrize(
    "code",
    [
        MIGRATION,
        MODEL,
        "class Article < ApplicationRecord\n  validates :title, presence: true\n\n  private\n\n"
        "  def no_spam\n    errors.add(:title, 'spam') if title.include?('spam')\n  end\nend\n",
        "Article.where(created_at: (Time.now.midnight - 1.day)..Time.now.midnight)\n",
    ],
)
def test_active_record_code_runs_with_the_prelude(code: str) -> None:
    verdict = ruby.judge(code, Context(earlier=(MODEL,)))
    assert verdict.runs and verdict.magic == active_record.MAGIC and verdict.services == ("active_record",)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("class ArticlesController < ApplicationController\n  def index\n    @articles = Article.all\n  end\nend\n", "Rails application code"),
        ("class Article < ApplicationRecord\n  after_create { AdminMailer.alert(self).deliver_later }\nend\n", "`AdminMailer`"),
        ("ActiveRecord::Base.transaction do\n  user.save!\n  profile.save!\nend\n", "`profile`, `user`"),
        ("Article.find(1)\n", "`Article`"),  # no block defines the model
    ],
)
def test_what_active_record_cannot_run_says_why(code: str, reason: str) -> None:
    verdict = ruby.judge(code)
    assert not verdict.runs and reason in verdict.reason


def test_plain_ruby_keeps_the_plain_magic() -> None:
    verdict = ruby.judge("puts [1, 2, 3].sum\n")
    assert verdict.runs and verdict.magic == ""


def _has_active_record() -> bool:
    ruby_program = shutil.which("ruby")
    return bool(ruby_program) and subprocess.run(
        [ruby_program, "-e", "require 'active_record'; require 'sqlite3'"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _has_active_record(), reason=f"needs Ruby with Active Record: {active_record.INSTALL}")
def test_prelude_migrates_once_and_cells_share_the_database(tmp_path: Path) -> None:
    (tmp_path / active_record.DATABASE_FILE).write_text("a stale database from an earlier run")
    subprocess.run([sys.executable, "-c", active_record.SETUP], cwd=tmp_path, check=True)  # the setup cell
    assert (tmp_path / active_record.PRELUDE_FILE).read_text() == active_record.PRELUDE

    def cell(code: str) -> str:
        done = subprocess.run(["ruby", "-r", f"./{active_record.PRELUDE_FILE}"], input=code, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cell(MIGRATION)
    cell(MIGRATION + MODEL + "Article.create!(title: 'Hello', published: true)\nArticle.create!(title: 'Draft')\n")
    # The migration ran once (a second run would fail: the table exists); both rows are there.
    assert cell(MIGRATION + MODEL + "puts Article.count, Article.published.pluck(:title).inspect") == '2\n["Hello"]\n'
    assert cell("puts 2.days.ago < Time.now") == "true\n"


def test_missing_program_or_library_gives_the_install_line(monkeypatch: pytest.MonkeyPatch) -> None:
    needs = ("active_record",)
    assert runtimes.missing_hint("ruby", needs, which=lambda _: None) == "needs Ruby: `sudo apt-get install ruby`"
    service = runtimes.SERVICES["active_record"]
    monkeypatch.setitem(runtimes.SERVICES, "active_record", replace(service, check=("false",)))
    assert runtimes.missing_hint("ruby", needs, which=lambda _: "/usr/bin/ruby") == f"needs Active Record: `{active_record.INSTALL}`"
    monkeypatch.setitem(runtimes.SERVICES, "active_record", replace(service, check=("true",)))
    assert runtimes.missing_hint("ruby", needs, which=lambda _: "/usr/bin/ruby") == ""
    assert runtimes.missing_hint("ruby", (), which=lambda _: "/usr/bin/ruby") == ""
