#pragma once
// Not part of the promised API: how the build fingerprint string is made. Host and plugin compile
// this same macro; equal strings mean the same compiler, standard library, C++ level and SDK.

#include <cstddef>  // defines __GLIBCXX__ / _GLIBCXX_RELEASE with libstdc++

#include "disputed/sdk/version.hpp"

#define DISPUTED_SDK_DETAIL_STR2(x) #x
#define DISPUTED_SDK_DETAIL_STR(x) DISPUTED_SDK_DETAIL_STR2(x)

/// Marks SDK interfaces visible even in plugins built with -fvisibility=hidden, so their type
/// information is shared between host and plugin.
#define DISPUTED_SDK_VISIBLE __attribute__((visibility("default")))

#if defined(__clang__)
#define DISPUTED_SDK_DETAIL_COMPILER "clang-" __clang_version__
#elif defined(__GNUC__)
#define DISPUTED_SDK_DETAIL_COMPILER "gcc-" __VERSION__
#else
#define DISPUTED_SDK_DETAIL_COMPILER "unknown-compiler"
#endif

#if defined(__GLIBCXX__)
// The dual ABI and debug mode change std::string and container layouts: part of the fingerprint.
#if defined(_GLIBCXX_DEBUG)
#define DISPUTED_SDK_DETAIL_STDLIB_MODE "-debug"
#else
#define DISPUTED_SDK_DETAIL_STDLIB_MODE ""
#endif
#define DISPUTED_SDK_DETAIL_STDLIB                                                       \
  "libstdc++-" DISPUTED_SDK_DETAIL_STR(__GLIBCXX__) "-cxx11abi" DISPUTED_SDK_DETAIL_STR( \
      _GLIBCXX_USE_CXX11_ABI) DISPUTED_SDK_DETAIL_STDLIB_MODE
#elif defined(_LIBCPP_VERSION)
#define DISPUTED_SDK_DETAIL_STDLIB "libc++-" DISPUTED_SDK_DETAIL_STR(_LIBCPP_VERSION)
#else
#define DISPUTED_SDK_DETAIL_STDLIB "unknown-stdlib"
#endif

/// e.g. "gcc-12.2.0;libstdc++-20220819-cxx11abi1;c++202002L;sdk-1.0.0"
#define DISPUTED_SDK_BUILD_FINGERPRINT \
  DISPUTED_SDK_DETAIL_COMPILER         \
  ";" DISPUTED_SDK_DETAIL_STDLIB       \
  ";c++" DISPUTED_SDK_DETAIL_STR(__cplusplus) ";sdk-" DISPUTED_SDK_VERSION
