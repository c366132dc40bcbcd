// Clang thread-safety annotations (-Wthread-safety). Other compilers ignore
// them. `make test-thread-safety` builds the library with clang and
// -Wthread-safety -Werror, so a member read without its mutex fails to build.
#pragma once

#if defined(__clang__)
#define SMMAP_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SMMAP_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) SMMAP_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY SMMAP_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) SMMAP_THREAD_ANNOTATION(guarded_by(x))
#define REQUIRES(...) SMMAP_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) SMMAP_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) SMMAP_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) SMMAP_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) SMMAP_THREAD_ANNOTATION(assert_capability(x))
