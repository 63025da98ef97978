# Tests of the conformance suite and of a softmax-head model (issue 4, docs/conformance.md).
# Both run with the Khronos validation layer on: any message fails them.

# pseg conformance softmax: stable heads pass their bounds in fp32 and fp16, the naive fp16
# softmax fails on large logits, the report names device and driver.
add_test(NAME conformance_softmax
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_conformance.sh $<TARGET_FILE:pseg> ${CMAKE_SOURCE_DIR})
set_tests_properties(conformance_softmax PROPERTIES ENVIRONMENT "PSEG_VALIDATION=1" TIMEOUT 600)

# A real model with a 2-channel SOFTMAX head, built with the TFLite writer, through pseg and the
# real TFLite interpreter: max |d| <= 1e-3 in fp32.
add_executable(make_softmax_model make_softmax_model.c tflite_writer.c)
target_compile_options(make_softmax_model PRIVATE ${PSEG_WARNINGS})
target_compile_definitions(make_softmax_model PRIVATE _POSIX_C_SOURCE=200809L)
target_link_libraries(make_softmax_model PRIVATE m)
add_test(NAME softmax_head_vs_tflite
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_softmax_head.sh $<TARGET_FILE:pseg> $<TARGET_FILE:prep_portraits>
                 $<TARGET_FILE:make_softmax_model> ${CMAKE_SOURCE_DIR})
set_tests_properties(softmax_head_vs_tflite PROPERTIES ENVIRONMENT "PSEG_VALIDATION=1" TIMEOUT 600)

# Models other than the selfie pair (PAD, logits heads, RESHAPE; the real models of tests/models.txt)
# against the real TFLite interpreter: tests/test_models.sh.
add_executable(make_test_models make_test_models.c tflite_writer.c)
target_compile_options(make_test_models PRIVATE ${PSEG_WARNINGS})
target_compile_definitions(make_test_models PRIVATE _POSIX_C_SOURCE=200809L)
target_link_libraries(make_test_models PRIVATE m)
add_test(NAME fidelity_models
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_models.sh $<TARGET_FILE:pseg> $<TARGET_FILE:prep_portraits>
                 $<TARGET_FILE:make_test_models> ${CMAKE_SOURCE_DIR})
# 505-655 s measured (2026-11-27) with a cold Mesa shader cache (lavapipe compiles each pipeline at its
# first dispatch); 900 s was reached once while CI's ASan and fuzz stages shared the two cores
set_tests_properties(fidelity_models PROPERTIES ENVIRONMENT "PSEG_VALIDATION=1" TIMEOUT 2700)

# pseg conformance models: the origin project's heads (the tree's 4ch-sigmoid; all nine with
# ../shared/models) and a naive softmax in fp32 / fp16 / fp16-all against the plain-C forward pass:
# fp32 passes, the naive softmax's NaN in fp16-all shows (tests/test_conformance_models.sh).
add_test(NAME conformance_models
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_conformance_models.sh $<TARGET_FILE:pseg>
                 $<TARGET_FILE:make_test_models> ${CMAKE_SOURCE_DIR})
set_tests_properties(conformance_models PROPERTIES ENVIRONMENT "PSEG_VALIDATION=1" TIMEOUT 600)

# pseg conformance reductions: fp16 vs fp32 accumulation of large means and channel sums, softmax
# over +-Inf / NaN / huge logits against the expected answers (tests/test_conformance_reductions.sh).
add_test(NAME conformance_reductions
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_conformance_reductions.sh $<TARGET_FILE:pseg>)
set_tests_properties(conformance_reductions PROPERTIES ENVIRONMENT "PSEG_VALIDATION=1" TIMEOUT 300)
