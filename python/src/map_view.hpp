// MappedBytes: a read-only view of mapped bytes that keeps them mapped.
//
// It holds a pin on the bytes — a copy of a cursor (which pins the cursor's
// region) or a share of a standalone region — for as long as it lives, so the
// manager cannot unmap them under it. It exports the buffer protocol (format
// 'B', one dimension, read-only): cursor.buffer() is a memoryview of one.
// cursor.map() returns one directly; like Python's mmap, len() is its size,
// an index gives an int and a slice gives bytes.
//
// close() lets go of the pin early; it raises BufferError while memoryviews
// of the bytes exist.
//
// Thread safety: needs the GIL, like any Python object; slices of 1 MiB and
// more are copied with the GIL released.
#pragma once

#include <Python.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "smmap/cursor.hpp"
#include "smmap/region.hpp"

namespace smmap::python {

// Creates the MappedBytes type and adds it to |module|. Returns false with a
// Python error set on failure.
bool add_mapped_bytes_type(PyObject* module);

// A new MappedBytes over [data, data + size), pinned by |pin| or |region|.
// Returns a new reference, or nullptr with a Python error set.
PyObject* new_mapped_bytes(WindowCursor pin, const std::byte* data, std::size_t size);
PyObject* new_mapped_bytes(std::shared_ptr<const MapRegion> region, const std::byte* data,
                           std::size_t size);

// True iff |view| is a MappedBytes, not closed, of [data, data + size).
bool mapped_bytes_shows(PyObject* view, const std::byte* data, std::size_t size) noexcept;

// A memoryview of a new MappedBytes; the arguments are new_mapped_bytes's.
PyObject* new_pinned_memoryview(WindowCursor pin, const std::byte* data, std::size_t size);

// Returns a new bytes object with the |count| bytes at |from|, |from| + step,
// ... ; the copy runs with the GIL released when it is large. |from| must stay
// mapped meanwhile; |source| and |file_offset| (where |from| is in the file)
// name it in the OSError of a file truncated under the mapping. Returns
// nullptr with a Python error set on failure.
PyObject* copy_to_bytes(const std::byte* from, Py_ssize_t count, Py_ssize_t step,
                        const PathOrFd* source = nullptr, std::uint64_t file_offset = 0);

// Copies at least this many bytes with the GIL released.
inline constexpr Py_ssize_t kReleaseGilBytes = Py_ssize_t{1} << 20;

}  // namespace smmap::python
