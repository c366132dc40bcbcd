// SMMAP_DCHECK(condition): a precondition (a REQUIRES: comment) checked at
// run time in the builds that check — Debug builds, and builds with
// SMMAP_CHECK_INVARIANTS (the sanitizer and fuzzing builds) — where a false
// condition ends the process naming it, its file and line. Elsewhere it
// compiles to nothing and the condition is not evaluated.
//
// Thread safety: thread-safe.
#pragma once

#if !defined(NDEBUG) || defined(SMMAP_CHECK_INVARIANTS)
#define SMMAP_CHECKS_PRECONDITIONS 1
#define SMMAP_DCHECK(condition)       \
  ((condition) ? static_cast<void>(0) \
               : ::smmap::detail::check_failed(#condition, __FILE__, __LINE__))
#else
#define SMMAP_CHECKS_PRECONDITIONS 0
#define SMMAP_DCHECK(condition) static_cast<void>(sizeof((condition) ? 1 : 0))
#endif

namespace smmap::detail {

// Prints "smmap: precondition failed at FILE:LINE: CONDITION" and aborts.
[[noreturn]] void check_failed(const char* condition, const char* file, int line) noexcept;

}  // namespace smmap::detail
