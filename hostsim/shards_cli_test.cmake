# ctest sim.cli.shards: exploration split into shards, as a batch system would run it (issue 15). The fixed
# scenario FIXED in 3 shards must merge into one passing exploration of exactly --runs runs; the planted bug
# SCENARIO in 3 shards must merge into a failure whose replay line, taken from the merged report, reproduces it
# here. Run as: cmake -DJANUS_SIM=<janus_sim> -DSCENARIO=<planted> -DFIXED=<fixed> -DDIR=<scratch> -P <this file>
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")

function(explore_shards name runs prefix)
  foreach(i 0 1 2)
    execute_process(COMMAND "${JANUS_SIM}" explore "${name}" --strategy random --seed 5 --runs ${runs}
                            --shard ${i}/3 --report "${DIR}/${prefix}-${i}.txt"
                    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
    if(NOT EXISTS "${DIR}/${prefix}-${i}.txt" OR rc GREATER 1)
      message(FATAL_ERROR "explore ${name} --shard ${i}/3 (exit ${rc}) wrote no report:\n${out}${err}")
    endif()
  endforeach()
endfunction()

explore_shards(${FIXED} 30 fixed)
execute_process(COMMAND "${JANUS_SIM}" merge "${DIR}/fixed-0.txt" "${DIR}/fixed-1.txt" "${DIR}/fixed-2.txt"
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}${err}")
if(NOT rc EQUAL 0 OR NOT out MATCHES "PASS ${FIXED}: 3 shards, 30 of 30 runs")
  message(FATAL_ERROR "merging the fixed scenario's shards (exit ${rc}) did not give 30 passing runs")
endif()
# Two shards are not the exploration: merge must refuse them.
execute_process(COMMAND "${JANUS_SIM}" merge "${DIR}/fixed-0.txt" "${DIR}/fixed-2.txt"
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 2 OR NOT err MATCHES "shard 1 of 3 is missing")
  message(FATAL_ERROR "merge accepted an incomplete set of shards (exit ${rc}):\n${out}${err}")
endif()

explore_shards(${SCENARIO} 300 planted)
execute_process(COMMAND "${JANUS_SIM}" merge "${DIR}/planted-0.txt" "${DIR}/planted-1.txt" "${DIR}/planted-2.txt"
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}${err}")
# The failure as merge prints it (the line and what failed), pasted whole, as a developer would.
string(REGEX MATCH "FAIL ${SCENARIO},[^\n]*" line "${out}")
if(NOT rc EQUAL 1 OR NOT line OR NOT out MATCHES "replay: ./janus sim replay ${SCENARIO},")
  message(FATAL_ERROR "merging the planted bug's shards (exit ${rc}) reported no failure to replay")
endif()
execute_process(COMMAND "${JANUS_SIM}" replay "${line}"
  OUTPUT_VARIABLE replayed ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${replayed}${err}")
if(NOT replayed MATCHES "\nreproduced: the identical failure\n" OR NOT rc EQUAL 1)
  message(FATAL_ERROR "the failure line of a shard did not replay the identical failure (exit ${rc})")
endif()
