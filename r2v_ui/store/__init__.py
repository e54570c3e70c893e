"""The store: everything the studio keeps under its data folder, one room of parts.

    jobs.sqlite3                  one row per job (database.py, schema.py); the row exists before any upload
    records/<job>.json            a copy of each job's row until its video is in the library (records.py)
    library/<date>_<job>.mp4|.json|.jpg   each result, its sidecar and its poster (library.py)
    references/<sha256><ext>      every reference kept by content hash, so a remix works after links expire
    the `ledger` table            what each job on the studio's key counts (ledger.py)
    shares/<token>.json           each share link with its picks and notes, as its rows (shares.py)

Every file write is atomic (temporary file, rename; flushed to disk where a rebuild depends on it),
so a crash never leaves a half-written file that a row calls done; a lost, emptied or damaged
database is rebuilt from the library and the record copies (rebuild.py).  `JobStore` (jobstore.py)
is the face the rest of the studio uses; its states are the job core's vocabulary (jobs/states.py).
"""

from .jobstore import JobStore
from .schema import MIGRATIONS, SCHEMA_VERSION, JobRecord
from .trouble import StoreError

__all__ = ["JobStore", "JobRecord", "StoreError", "MIGRATIONS", "SCHEMA_VERSION"]
