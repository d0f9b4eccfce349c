#pragma once
// Moved to the public header so the server's storage shares the one SQLite wrapper.
#include "ccfield/core/sqlite_db.h"
