# web.cmake - the browser interface (web/) in the build.
#
# Included from CMakeLists.txt after KOUAN_EMBED_FILES is set and before it
# is turned into embedded_files.c. It
#   * runs `npm ci` in web/ whenever web/package-lock.json (or package.json)
#     changes, with a stamp file in the build directory: the packages come
#     from the npm registry exactly as the lockfile pins them, and no
#     package's install script runs;
#   * adds web/index.html, everything under web/app/ and ECharts' minified
#     ES module (web/node_modules/echarts/dist/echarts.esm.min.mjs, served
#     as /assets/<version>/vendor/echarts.esm.min.mjs) to the embedded files,
#     so the one binary serves the whole interface (src/api/web.c);
#   * registers one ctest test per tests/browser/test_*.mjs (label
#     "browser"), run by Node with playwright-core driving Debian's
#     Chromium, on SQLite, and again on PostgreSQL for the flows that write
#     the most (lodging with idempotency, corrections, bookings, findings,
#     yard events and the refused attempt kept on a 409) and follow the
#     event feed, and for the clearance-time figures (the statistics
#     engine is filled from either store's events); the others check the
#     interface itself,
#     read what the API tests already check on both backends, or time the
#     interface on a large store, and run once to keep the suite short.
# Nothing here fetches anything at run time.

find_program(KOUAN_NODE node)
find_program(KOUAN_NPM npm)
if(NOT KOUAN_NODE OR NOT KOUAN_NPM)
  message(FATAL_ERROR "kouan's browser interface needs Node.js and npm to install "
                      "its pinned packages: run scripts/install-deps.sh")
endif()

set(KOUAN_WEB_DIR ${CMAKE_SOURCE_DIR}/web)
set(KOUAN_WEB_STAMP ${CMAKE_BINARY_DIR}/web-npm-ci.stamp)
set(KOUAN_ECHARTS ${KOUAN_WEB_DIR}/node_modules/echarts/dist/echarts.esm.min.mjs)

# The ECharts file is named as a by-product so that the embedding step,
# which depends on it, waits for npm ci; it is touched so that a new
# version in the lockfile always re-embeds.
add_custom_command(
  OUTPUT ${KOUAN_WEB_STAMP}
  BYPRODUCTS ${KOUAN_ECHARTS}
  COMMAND ${KOUAN_NPM} ci --no-audit --no-fund --ignore-scripts --loglevel=error
  COMMAND ${CMAKE_COMMAND} -E touch ${KOUAN_ECHARTS}
  COMMAND ${CMAKE_COMMAND} -E touch ${KOUAN_WEB_STAMP}
  WORKING_DIRECTORY ${KOUAN_WEB_DIR}
  DEPENDS ${KOUAN_WEB_DIR}/package-lock.json ${KOUAN_WEB_DIR}/package.json
  COMMENT "npm ci in web/ (packages pinned by web/package-lock.json)"
  VERBATIM)
add_custom_target(kouan_web_packages ALL DEPENDS ${KOUAN_WEB_STAMP})

file(GLOB_RECURSE KOUAN_WEB_APP_FILES CONFIGURE_DEPENDS
     ${KOUAN_WEB_DIR}/app/*.js ${KOUAN_WEB_DIR}/app/*.css ${KOUAN_WEB_DIR}/app/*.svg)
list(APPEND KOUAN_EMBED_FILES ${KOUAN_WEB_DIR}/index.html ${KOUAN_WEB_APP_FILES}
     ${KOUAN_ECHARTS})

# Browser tests, registered once the whole CMakeLists.txt is read (the kouan
# target and the PostgreSQL fixture exist by then).
set(KOUAN_BROWSER_ON_POSTGRES test_declarant test_officer test_live test_gate test_clearance)
function(kouan_web_tests)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/browser/test_*.mjs)
  set(env "KOUAN_BIN=$<TARGET_FILE:kouan>" "KOUAN_SOURCE=${CMAKE_SOURCE_DIR}"
          "KOUAN_SCREENSHOTS=${CMAKE_BINARY_DIR}/screenshots")
  foreach(src ${tests})
    get_filename_component(name ${src} NAME_WE)
    add_test(NAME browser/${name} COMMAND ${KOUAN_NODE} ${src})
    set_tests_properties(browser/${name} PROPERTIES LABELS "browser;sqlite"
      TIMEOUT 600 ENVIRONMENT "${env}")
    if(NOT name IN_LIST KOUAN_BROWSER_ON_POSTGRES)
      continue()
    endif()
    add_test(NAME browser/${name}@postgres COMMAND ${KOUAN_NODE} ${src})
    set_tests_properties(browser/${name}@postgres PROPERTIES LABELS "browser;postgres"
      TIMEOUT 600 FIXTURES_REQUIRED pg
      ENVIRONMENT "${env};KOUAN_TEST_STORE=postgres;KOUAN_TEST_PG_STATE=${KOUAN_PG_STATE}")
  endforeach()
endfunction()
cmake_language(DEFER CALL kouan_web_tests)
