from flask import Blueprint

bp = Blueprint("interpreters", __name__)
