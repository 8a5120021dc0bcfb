# Test registration. Every ctest name starts with its module ("boot.", "mem.", ...; in kernel/ the test's folder,
# cmake/README.md) and carries one tier label: unit, prop, sim, fuzz or hw. The driver (./janus test) selects
# tiers by label.

if(NOT JANUS_BARE_METAL)
  find_package(GTest REQUIRED)
  find_package(rapidcheck REQUIRED)
  include(GoogleTest)
endif()

# Which tiers this build tree compiles tests for (empty: all). Each preset names the tiers the driver runs in it
# (see CMakePresets.json), so no build compiles tests it will never run.
set(JANUS_TIERS "" CACHE STRING "Test tiers whose tests this build compiles: unit, prop, sim (empty: all)")

# RapidCheck runs are reproducible in CI: a fixed seed unless the developer chooses another.
set(JANUS_RC_PARAMS "seed=20261121" CACHE STRING "RC_PARAMS given to property tests")

# janus_gtest(<binary> MODULE <module> LABEL <tier> SOURCES ... [LIBS ...] [ENV ...] [FIXTURE <name>])
# One executable; each GoogleTest case becomes a ctest test named <module>.<Suite>.<Case>. FIXTURE: every
# case requires that ctest fixture (its setup test runs first, and a failed setup fails the cases).
function(janus_gtest binary)
  cmake_parse_arguments(T "" "MODULE;LABEL;FIXTURE" "SOURCES;LIBS;ENV" ${ARGN})
  # A test of a tier this tree does not run is still defined (other CMake code may refer to it) but is not built
  # by default and not registered.
  set(skip OFF)
  if(JANUS_TIERS AND NOT T_LABEL IN_LIST JANUS_TIERS)
    set(skip ON)
    add_executable(${binary} EXCLUDE_FROM_ALL ${T_SOURCES})
  else()
    add_executable(${binary} ${T_SOURCES})
  endif()
  janus_project_flags(${binary})
  target_link_libraries(${binary} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  if(T_LABEL STREQUAL "prop")
    target_link_libraries(${binary} PRIVATE rapidcheck rapidcheck_gtest)
    list(APPEND T_ENV "RC_PARAMS=${JANUS_RC_PARAMS}")
  endif()
  if(skip)
    return()
  endif()
  set(fixture)
  if(T_FIXTURE)
    set(fixture FIXTURES_REQUIRED ${T_FIXTURE})
  endif()
  gtest_discover_tests(${binary}
    TEST_PREFIX "${T_MODULE}."
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${T_LABEL}" ENVIRONMENT "${T_ENV}" ${fixture})
endfunction()

# janus_fuzz_target(<name> MODULE <module> SOURCES ... [LIBS ...] [RUNS n] [MAX_LEN n])
# Builds fuzz_<name> (fuzz preset only) and registers <module>.fuzz.<name>: replay fuzz/corpus/<name>, then a
# fixed number of fresh executions with a fixed seed (a count, never a duration, so CI is deterministic).
# fuzz/<name>.dict, when present, is passed as the libFuzzer dictionary.
function(janus_fuzz_target name)
  cmake_parse_arguments(F "" "MODULE;RUNS;MAX_LEN" "SOURCES;LIBS" ${ARGN})
  if(NOT JANUS_FUZZ)
    return()
  endif()
  if(NOT F_RUNS)
    set(F_RUNS 20000)
  endif()
  if(NOT F_MAX_LEN)
    set(F_MAX_LEN 4096)
  endif()
  add_executable(fuzz_${name} ${F_SOURCES})
  janus_project_flags(fuzz_${name})
  target_link_libraries(fuzz_${name} PRIVATE ${F_LIBS})
  separate_arguments(_engine UNIX_COMMAND "${JANUS_FUZZ_ENGINE}")
  target_link_options(fuzz_${name} PRIVATE ${_engine})
  set(scratch "${CMAKE_BINARY_DIR}/fuzz-scratch/${name}")
  file(MAKE_DIRECTORY "${scratch}")
  set(dict "")
  if(EXISTS "${CMAKE_SOURCE_DIR}/fuzz/${name}.dict")
    set(dict "-dict=${CMAKE_SOURCE_DIR}/fuzz/${name}.dict")
  endif()
  add_test(NAME ${F_MODULE}.fuzz.${name}
    COMMAND fuzz_${name} -seed=1 -runs=${F_RUNS} -max_len=${F_MAX_LEN} ${dict} -print_final_stats=1
            "${scratch}" "${CMAKE_SOURCE_DIR}/fuzz/corpus/${name}")
  set_tests_properties(${F_MODULE}.fuzz.${name} PROPERTIES LABELS fuzz)
  set_property(GLOBAL APPEND PROPERTY JANUS_FUZZ_TARGETS fuzz_${name})
endfunction()

# janus_tool(<target> [FUZZ])
# A developer's program (generator, repro tool), not a test: built by default only where the driver uses it — the
# plain host tree, and with FUZZ the fuzz tree too. The sanitized test trees (asan, tsan) skip it unless asked
# for by name, which keeps their builds, and so CI, shorter.
function(janus_tool target)
  cmake_parse_arguments(T "FUZZ" "" "" ${ARGN})
  if(JANUS_SANITIZE AND NOT (T_FUZZ AND JANUS_FUZZ))
    set_target_properties(${target} PROPERTIES EXCLUDE_FROM_ALL ON)
  endif()
endfunction()

# janus_bench(<name> SOURCES ... [LIBS ...])
# A benchmark program bench_<name>. Benchmarks print figures and are never ctest tests; the driver's
# `./janus bench` runs every bench_* listed in <build>/benchmarks.txt of the host tree, the only tree that
# builds them by default (janus_tool).
function(janus_bench name)
  cmake_parse_arguments(B "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(bench_${name} ${B_SOURCES})
  janus_tool(bench_${name})
  janus_project_flags(bench_${name})
  target_link_libraries(bench_${name} PRIVATE ${B_LIBS})
  set_property(GLOBAL APPEND PROPERTY JANUS_BENCHMARKS bench_${name})
endfunction()

# Called once at the end of the top-level CMakeLists: writes the lists of benchmark and fuzz-target binaries
# (benchmarks.txt, fuzz_targets.txt) that the driver reads.
function(janus_write_program_lists)
  get_property(fuzzers GLOBAL PROPERTY JANUS_FUZZ_TARGETS)
  if(fuzzers)
    # Every fuzz target and nothing else (.clusterfuzzlite/build.sh builds this).
    add_custom_target(janus_fuzz_targets DEPENDS ${fuzzers})
  endif()
  foreach(kind BENCHMARKS FUZZ_TARGETS)
    get_property(programs GLOBAL PROPERTY JANUS_${kind})
    set(lines "")
    foreach(p IN LISTS programs)
      string(APPEND lines "$<TARGET_FILE:${p}>\n")
    endforeach()
    string(TOLOWER "${kind}" file)
    file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/${file}.txt" CONTENT "${lines}")
  endforeach()
endfunction()
