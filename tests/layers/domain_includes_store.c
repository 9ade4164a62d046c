/*
 * domain_includes_store.c - a file of the domain layer including a store
 * header, compiled with the domain library's include roots. It must not
 * compile: the domain may not use the store (see CMakeLists.txt).
 */
#include "domain/declaration.h"
#include "store/store.h"

int layer_probe(void);
int layer_probe(void)
{
	return STORE_ROW;
}
