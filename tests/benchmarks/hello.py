"""The bare Flask endpoint ``make bench-web`` compares every page with, under the same gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
