#pragma once
// Reading a whole input file that a person names (a notes file, an import,
// a site list): the one place that bounds how much is read. A directory, a
// FIFO or a device (/dev/zero, /dev/stdin) is refused before reading, and a
// file larger than the limit is refused without reading it into memory, so
// a wrong path gives a clear error instead of a hang or an exhausted tablet.
#include <cstddef>
#include <string>
#include <string_view>

#include "ccfield/core/status.h"

namespace ccfield {

// The largest practice library, record import or form file read (a whole
// library of good practices with their text is a few MB).
inline constexpr size_t kMaxImportFileBytes = size_t{32} * 1024 * 1024;

// The contents of the regular file at `path`, at most `max_bytes`. Errors
// name the file as `what` ("notes file", "import file"): kNotFound when it
// does not exist or cannot be opened, kInvalidArgument for a directory or
// another non-regular file and for a file over the limit ("notes file
// notes.txt is 2.1 MB; at most 100 KB can be read"), kIoError when reading fails.
Result<std::string> ReadFileAtMost(const std::string& path, size_t max_bytes, std::string_view what);

// "100 KB", "8 MB": a byte limit for messages (1024-based, rounded down).
std::string ByteSizeText(size_t bytes);

}  // namespace ccfield
