/*
 * inspections.c - the joint inspection (one inspection, all agencies that
 * want one) and appointments. Placeholder until the inspection module lands:
 * inspection_require records nothing yet beyond the task's status.
 */
#include "api/api.h"

kerr inspection_require(struct api_ctx *ctx, const char *number, int64_t org_id,
			const char *agency, const char *now)
{
	(void)ctx;
	(void)number;
	(void)org_id;
	(void)agency;
	(void)now;
	return KERR_OK;
}
