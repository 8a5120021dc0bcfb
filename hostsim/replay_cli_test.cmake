# ctest sim.cli.replay: the failure line `janus_sim explore` prints for a planted bug, pasted whole into
# `janus_sim replay` as a developer would, must reproduce the identical failure (issue 6: "a printed failure
# line replays the identical failure"). Run as: cmake -DJANUS_SIM=<janus_sim> -DSCENARIO=<name> -P <this file>
execute_process(COMMAND "${JANUS_SIM}" explore "${SCENARIO}"
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
string(REGEX MATCH "FAIL [^\n]*" line "${out}")
if(NOT line OR NOT rc EQUAL 1)
  message(FATAL_ERROR "explore ${SCENARIO} (exit ${rc}) printed no failure line:\n${out}${err}")
endif()
execute_process(COMMAND "${JANUS_SIM}" replay "${line}"
  OUTPUT_VARIABLE replayed ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${line}\n${replayed}${err}")
if(NOT replayed MATCHES "\nreproduced: the identical failure\n" OR NOT rc EQUAL 1)
  message(FATAL_ERROR "replaying the printed line did not reproduce the identical failure (exit ${rc})")
endif()
