"""Console users: plain service functions (the console engineer owns login itself)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from host.db.devices import now_ms
from host.db.models import User

ROLES = ("admin", "supervisor", "auditor")


def get_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def set_user(
    session: Session, username: str, password: str, role: str = "admin", *, commit: bool = True
) -> tuple[User, bool]:
    """Create the user, or reset its password and role. Returns (user, created)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not username or not password:
        raise ValueError("username and password must not be empty")
    user = get_user(session, username)
    created = user is None
    if created:
        user = User(username=username, created_ms=now_ms())
        session.add(user)
    user.password_hash = generate_password_hash(password)
    user.role = role
    session.flush()
    if commit:
        session.commit()
    return user, created
