"""The SQL mirror: models, engine and migrations.

Importing `ledger.store` registers every table on `SQLModel.metadata`, so a reader (the portal,
the reports) that opens the mirror finds its tables without running Alembic.
"""

from ledger.store import models as models
