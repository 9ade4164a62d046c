/* test_support.c - shared helpers for the cmocka unit and API tests. */
#include "test_support.h"
