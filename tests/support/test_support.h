/* test_support.h - shared helpers for the cmocka unit and API tests. */
#ifndef KOUAN_TEST_SUPPORT_H
#define KOUAN_TEST_SUPPORT_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#endif
