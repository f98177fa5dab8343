# Helpers shared by every CMakeLists of docpipe: warning flags, sanitizers,
# and the functions that declare a plugin or a unit test.

set(DOCPIPE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral)
if(DOCPIPE_WERROR)
  list(APPEND DOCPIPE_WARNINGS -Werror)
endif()

if(DOCPIPE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# Apply docpipe's warnings and defines to one of our own targets.
function(docpipe_target_defaults target)
  target_compile_options(${target} PRIVATE ${DOCPIPE_WARNINGS})
  target_compile_definitions(${target} PRIVATE _GNU_SOURCE)
endfunction()

# docpipe_add_plugin(NAME SOURCES a.c b.c [LIBS lib...])
# Builds plugins/NAME.so as a MODULE library against libdocpipe, puts it in
# the build tree's plugins/ folder and installs it to the plugin folder.
function(docpipe_add_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} MODULE ${P_SOURCES})
  set_target_properties(${name} PROPERTIES PREFIX "" OUTPUT_NAME ${name}
                        C_VISIBILITY_PRESET hidden
                        LIBRARY_OUTPUT_DIRECTORY ${DOCPIPE_PLUGIN_OUTPUT_DIR})
  target_link_libraries(${name} PRIVATE docpipe ${P_LIBS})
  docpipe_target_defaults(${name})
  install(TARGETS ${name} LIBRARY DESTINATION ${DOCPIPE_INSTALL_PLUGIN_DIR})
endfunction()

# docpipe_add_unit_test(NAME SOURCES a.c... [LIBS lib...])
# A cmocka test executable run by CTest; it runs from the source tree root so
# it can read tests/data and configs.
function(docpipe_add_unit_test name)
  if(NOT DOCPIPE_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE docpipe PkgConfig::CMOCKA ${T_LIBS})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/core ${CMAKE_SOURCE_DIR})
  docpipe_target_defaults(${name})
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES LABELS unit
      ENVIRONMENT "DOCPIPE_BUILD_DIR=${CMAKE_BINARY_DIR};DOCPIPE_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()

# docpipe_add_cli_test(NAME SCRIPT [ARGS...])
# A Python end-to-end test that drives the built docpipe binary.
function(docpipe_add_cli_test name script)
  if(NOT DOCPIPE_TESTS)
    return()
  endif()
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  add_test(NAME ${name} COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/${script} ${ARGN}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES LABELS cli TIMEOUT 600
      ENVIRONMENT "DOCPIPE=$<TARGET_FILE:docpipe_cli>;DOCPIPE_BUILD_DIR=${CMAKE_BINARY_DIR};DOCPIPE_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()
