"""Every domain's models, imported in one place so the metadata (and Alembic) sees them all."""

from .attendance import models as attendance_models  # noqa: F401
from .auth.capabilities import UserCapability  # noqa: F401
from .auth.models import User  # noqa: F401
from .core.jobs import Job  # noqa: F401
from .core.models import AuditEntry, Organisation  # noqa: F401
from .core.undo import UndoEntry  # noqa: F401
from .interpreters import models as interpreter_models  # noqa: F401
from .meetings.models import (  # noqa: F401
    BudgetLine,
    ChecklistTemplateItem,
    Meeting,
    ProgrammeItem,
    Speaker,
    Task,
    Venue,
)
from .outreach.models import Consent, Contact, Mailing, PosterHanging, PosterLocation, Registration  # noqa: F401
from .printing.models import BrandMark, GlossaryRendering, GlossaryTerm, MeetingText, PhraseReview  # noqa: F401
from .sms import models as sms_models  # noqa: F401
