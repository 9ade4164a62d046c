/*
 * sizes.h - the sizes of the fixed-length texts kouan keeps, in one place:
 * each *_SIZE counts the terminating NUL, so `char number[DECL_NUMBER_SIZE]`
 * holds a whole declaration number. Layers that copy these texts into
 * fixed buffers (domain facts, store rows, service results) use these names
 * instead of bare numbers, so a wider code changes in one line.
 */
#ifndef KOUAN_SIZES_H
#define KOUAN_SIZES_H

#define DECL_NUMBER_LEN 18                      /* office+year+direction+sequence */
#define DECL_NUMBER_SIZE (DECL_NUMBER_LEN + 1)
#define USCC_SIZE 19                            /* unified social credit code */
#define OFFICE_CODE_SIZE 8                      /* customs office (4 digits today) */
#define PORT_CODE_SIZE 8                        /* UN/LOCODE */
#define COUNTRY_CODE_SIZE 4                     /* ISO 3166-1 alpha-2 */
#define CURRENCY_CODE_SIZE 4                    /* ISO 4217 */
#define MODE_CODE_SIZE 8                        /* trade or transport mode */
#define HS_CODE_SIZE 12                         /* 10-digit commodity code */
#define UNIT_CODE_SIZE 8                        /* unit of measure */
#define CONTAINER_SIZE 12                       /* ISO 6346, 11 characters */
#define BILL_SIZE 65                            /* bill of lading */
#define AGENCY_CODE_SIZE 16                     /* customs, quarantine, ... */
#define ROLE_NAME_SIZE 16
#define STATUS_SIZE 20                          /* any status word */
#define USERNAME_SIZE 65
#define DISPLAY_NAME_SIZE 129
#define ORG_NAME_SIZE 201
#define ORG_KIND_SIZE 24
#define REASON_SIZE 512                         /* officers' reasons and notes */
#define DIGEST_HEX 33                           /* 16-byte digest as hex */
#define HASH_HEX_SIZE 65                        /* 32-byte hash as hex */
#define KEY_ID_SIZE 17                          /* 8-byte key id as hex */
#define TIME_TEXT_SIZE 32                       /* RFC 3339 with microseconds */
#define SOURCE_SIZE 72                          /* where an act came from: an address, or os:USER */

#endif
