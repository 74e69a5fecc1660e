/*
 * config.h - what the paths on the command line name, checked once at
 * start-up: the --upload and --cgi-bin directories (below ROOT, apart
 * from each other), the --cgi interpreters, the --error-page files (read
 * into memory then, served from there).
 */
#ifndef MINI_HTTPD_CONFIG_H
#define MINI_HTTPD_CONFIG_H

#include <stddef.h>

#include "httpd.h"

/* The largest --error-page file. */
#define ERROR_PAGE_MAX (64 * 1024)

/* Open and check the configured areas and pages of cfg (ROOT is open):
 * CLI_RUN, or the exit status after one line saying why (64, or 77 when
 * permission is denied). */
int config_check(struct httpd_config *cfg);

/* The --error-page body for status, or NULL: its bytes, length, type. */
const char *config_error_page(int status, size_t *len, const char **type);

/* Whether rel (below ROOT) is area a or inside it. */
int config_in_area(const struct area *a, const char *rel);

/* Free the error pages (at exit). */
void config_free(void);

#endif
