/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* mosd's status socket (docs/status.md): an AF_UNIX stream socket, mode 0600, one JSON request
 * (the client then shuts down its write side), one JSON response, then the server closes.
 *
 *   request:  {"request":"status","version":1}
 *   response: {"boot_good":true,"services":[{...}],"version":1}
 *         or  {"error":"...","version":1}
 *
 * Both sides parse strictly (json.h): size limits, no unknown or duplicate fields, every value
 * checked. status_reply_parse() is the parser `mos status` runs on what it receives; it has a
 * fuzz target. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "supervisor.h"

#define STATUS_SOCKET_DEFAULT "/run/mos/status.sock"
#define STATUS_PROTOCOL_VERSION 1
#define STATUS_REQUEST_MAX 4096u
#define STATUS_RESPONSE_MAX (1024u * 1024u)

typedef struct StatusService {
        char *name;
        char *kind; /* "container" or "process" */
        ServiceState state;
        RestartPolicy restart;
        uint64_t pid; /* 0: none */
        uint64_t restarts;
        int exit_status; /* -1: none */
        int exit_signal; /* 0: none */
        char *reason;
        uint64_t state_ms;
        uint64_t restart_in_ms; /* 0 unless backing off */
} StatusService;

typedef struct StatusReply {
        char *error; /* set: mosd refused the request; nothing else is */
        bool boot_good;
        StatusService *services;
        size_t n_services;
} StatusReply;

StatusReply *status_reply_free(StatusReply *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(StatusReply *, status_reply_free);

int status_reply_from_supervisor(const Supervisor *s, StatusReply **ret);
int status_reply_to_json(const StatusReply *r, json_t **ret);
/* -EBADMSG (with *ret_error), -EFBIG. */
int status_reply_parse(const char *data, size_t size, StatusReply **ret, char **ret_error);
/* The human table of `mos status`. */
void status_reply_print_table(const StatusReply *r, FILE *f);

/* The server's request parser: 0 for a valid status request, -EBADMSG with *ret_error. */
int status_request_parse(const char *data, size_t size, char **ret_error);

/* ---- server (mosd) ---- */

/* Creates the listening socket at path (parent directory created 0755 when missing, a stale
 * socket replaced), mode 0600, non-blocking, close-on-exec. */
int status_server_listen(const char *path, int *ret_fd);

/* Accepts one connection on listen_fd and answers it; the reply comes from get(userdata).
 * Requests are read with a 1 s timeout, so a stuck client delays mosd's loop at most that long.
 * Only clients running as root (or mosd's own uid) are answered. */
typedef int (*StatusGetReply)(void *userdata, StatusReply **ret);
int status_server_handle(int listen_fd, StatusGetReply get, void *userdata);

/* ---- client (mos status) ---- */

/* Sends the status request to path and parses the response. -ECONNREFUSED/-ENOENT when nobody
 * listens, -EBADMSG (with *ret_error) for a malformed response, -EREMOTEIO (with *ret_error)
 * when mosd answered with an error. */
int status_query(const char *path, StatusReply **ret, char **ret_error);
