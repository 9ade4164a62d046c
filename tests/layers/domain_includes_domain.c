/*
 * domain_includes_domain.c - the control of the layer test: a file of the
 * domain layer including domain and common headers, compiled with the
 * domain library's include roots. It must compile.
 */
#include "common/error.h"
#include "domain/declaration.h"

int layer_probe(void);
int layer_probe(void)
{
	return DECL_NUMBER_LEN;
}
