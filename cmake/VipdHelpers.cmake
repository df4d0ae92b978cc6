# Shared build settings: warnings (as errors with VIPD_WERROR), sanitizers, and the test/fuzz helpers.

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

add_library(vipd_warnings INTERFACE)
target_compile_options(vipd_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wformat=2 -Wimplicit-fallthrough)
# Warnings are errors in our CI and developer builds (scripts/build.sh turns this on), never
# in a user's or packager's build: another compiler version may warn where ours does not.
if(VIPD_WERROR)
  target_compile_options(vipd_warnings INTERFACE -Werror)
endif()
# GCC 12 at -O2 reports std::variant moves as "maybe uninitialized" and span indexing as
# "potential null dereference" (false positives that depend on inlining); clang does not,
# so clang keeps -Wnull-dereference and GCC drops both.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(vipd_warnings INTERFACE -Wnull-dereference)
else()
  target_compile_options(vipd_warnings INTERFACE -Wno-maybe-uninitialized)
  # GCC 12 at -O3 (CMAKE_BUILD_TYPE=Release) reports overlaps and overflows inside libstdc++'s
  # string and vector copies that cannot happen (GCC bugs 105329 and 105651); -O2 does not.
  if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(vipd_warnings INTERFACE
      $<$<CONFIG:Release>:-Wno-restrict -Wno-array-bounds -Wno-stringop-overflow>)
  endif()
endif()

if(VIPD_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
if(VIPD_SANITIZE)
  # Without UBSan's vptr check: on a cache miss its runtime probes the object through a pipe,
  # so with no descriptor left (the fault matrix's descriptor exhaustion) every miss reports
  # a false "invalid vptr" and aborts. ASan still catches a deleted object's use.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

if(VIPD_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# vipd_library(NAME SOURCES... [DEPS ...]): one static library per layer. Dependencies
# are PUBLIC only where headers need them; layering is kept by what each layer links.
function(vipd_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE vipd_warnings ${ARG_PRIVATE_DEPS})
endfunction()

# vipd_unit_test(NAME SOURCES... DEPS ... [LABELS ...]): a GoogleTest binary registered with ctest.
function(vipd_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock
                                        vipd_warnings)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  include(GoogleTest)
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}"
                       WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endfunction()

# vipd_fuzz_target(NAME SOURCE DEPS ...): a libFuzzer binary (needs clang and VIPD_FUZZ=ON).
function(vipd_fuzz_target name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} vipd_warnings)
endfunction()
