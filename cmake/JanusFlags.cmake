# Compiler flags shared by every Janus target, per world.
#
# janus_project_flags(TARGET): warnings-as-errors for the project's own code.
# janus_kernel_flags(TARGET):  what code in kernel/ and arch/ must obey in both worlds
#                              (no exceptions, no RTTI, no thread-safe statics).
# Sanitizers (JANUS_SANITIZE) and libFuzzer instrumentation (JANUS_FUZZ) apply to all host code, so the kernel
# library is checked exactly as the tests that drive it.

set(JANUS_SANITIZE "" CACHE STRING "Host sanitizers: list of address, undefined, thread")
option(JANUS_FUZZ "Instrument host code for libFuzzer and build fuzz targets" OFF)
# What fuzz targets link for their main() and engine: libFuzzer by default; OSS-Fuzz and ClusterFuzzLite pass their
# $LIB_FUZZING_ENGINE here (.clusterfuzzlite/build.sh).
set(JANUS_FUZZ_ENGINE "-fsanitize=fuzzer" CACHE STRING "Link options of the fuzzing engine for fuzz targets")

# Assertions stay on in every build type: the kernel's own checks (JANUS_ASSERT) never depend on NDEBUG, and
# host code (tests, hostsim) keeps assert() too.
foreach(_cfg RELEASE RELWITHDEBINFO MINSIZEREL)
  foreach(_lang C CXX)
    string(REPLACE "-DNDEBUG" "" CMAKE_${_lang}_FLAGS_${_cfg} "${CMAKE_${_lang}_FLAGS_${_cfg}}")
  endforeach()
endforeach()

set(JANUS_WARNINGS -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough -Wundef
    -Wno-unused-parameter)

if(JANUS_BARE_METAL)
  set(JANUS_FREESTANDING_FLAGS
      -ffreestanding -fno-exceptions -fno-rtti -fno-stack-protector -fno-pic -fno-pie -mno-red-zone
      -mcmodel=kernel -mno-sse -mno-sse2 -mno-mmx -fno-threadsafe-statics -nostdlib -fno-builtin
      -fno-omit-frame-pointer
      # One section per function and object, so the link (--gc-sections, arch/x86_64/CMakeLists.txt) drops
      # whatever nothing in the image reaches.
      -ffunction-sections -fdata-sections
      # libstdc++'s header-only parts (<cstdint>, <array>, <span>, <optional>, <bit>, ...) are usable freestanding;
      # <string_view> and <atomic> are not (kernel::StringView, arch::Atomic stand in).
      # Joined (-isystem<dir>): CMake de-duplicates repeated options, which would drop the second "-isystem".
      -isystem/usr/include/c++/12 -isystem/usr/include/x86_64-linux-gnu/c++/12
      -isystem/usr/include/x86_64-linux-gnu)
  add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:${JANUS_FREESTANDING_FLAGS}>")
  add_compile_options("$<$<COMPILE_LANGUAGE:C>:-ffreestanding;-fno-pic;-mno-red-zone;-mcmodel=kernel>")
  add_compile_definitions(JANUS_BARE_METAL=1 JANUS_HOSTED=0)
else()
  add_compile_definitions(JANUS_BARE_METAL=0 JANUS_HOSTED=1)
  add_compile_options(-fno-omit-frame-pointer)
  if(JANUS_SANITIZE)
    list(JOIN JANUS_SANITIZE "," _janus_san)
    # vptr checking needs RTTI, which kernel code is compiled without (in both worlds).
    add_compile_options(-fsanitize=${_janus_san} -fno-sanitize-recover=all -fno-sanitize=vptr)
    add_link_options(-fsanitize=${_janus_san})
  endif()
  if(JANUS_FUZZ)
    add_compile_options(-fsanitize=fuzzer-no-link)
    # Oracles and scaffolding (checkers, models, hostsim, the syscall sandbox) are sanitized but not coverage
    # instrumented: their edges are no feedback about the kernel, and their trace-cmp hooks cost the syscall
    # fuzzers about a third of their time (fuzz/coverage_ignorelist.txt).
    add_compile_options(-fsanitize-coverage-ignorelist=${CMAKE_SOURCE_DIR}/fuzz/coverage_ignorelist.txt)
  endif()
endif()

function(janus_project_flags target)
  target_compile_options(${target} PRIVATE ${JANUS_WARNINGS})
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR})
endfunction()

function(janus_kernel_flags target)
  janus_project_flags(${target})
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics>)
endfunction()
