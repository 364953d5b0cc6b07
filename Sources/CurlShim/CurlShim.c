#include "CurlShim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// Every libcurl function the task calls: return type, name, parameter list.
#define RC_CURL_FUNCTIONS(X)                                                                      \
    X(CURLcode, curl_global_init, (long flags))                                                   \
    X(curl_version_info_data *, curl_version_info, (CURLversion stamp))                           \
    X(CURL *, curl_easy_init, (void))                                                             \
    X(void, curl_easy_cleanup, (CURL * handle))                                                   \
    X(CURLcode, curl_easy_setopt, (CURL * handle, CURLoption option, ...))                        \
    X(CURLcode, curl_easy_getinfo, (CURL * handle, CURLINFO info, ...))                           \
    X(const char *, curl_easy_strerror, (CURLcode code))                                          \
    X(struct curl_slist *, curl_slist_append, (struct curl_slist * list, const char *line))       \
    X(void, curl_slist_free_all, (struct curl_slist * list))                                      \
    X(CURLM *, curl_multi_init, (void))                                                           \
    X(CURLMcode, curl_multi_cleanup, (CURLM * multi))                                             \
    X(CURLMcode, curl_multi_setopt, (CURLM * multi, CURLMoption option, ...))                     \
    X(CURLMcode, curl_multi_add_handle, (CURLM * multi, CURL *handle))                            \
    X(CURLMcode, curl_multi_remove_handle, (CURLM * multi, CURL *handle))                         \
    X(CURLMcode, curl_multi_perform, (CURLM * multi, int *running))                               \
    X(CURLMcode, curl_multi_poll,                                                                 \
      (CURLM * multi, struct curl_waitfd * extra, unsigned int count, int timeout, int *ready))   \
    X(CURLMcode, curl_multi_wakeup, (CURLM * multi))                                              \
    X(CURLMsg *, curl_multi_info_read, (CURLM * multi, int *left))                                \
    X(CURLSH *, curl_share_init, (void))                                                          \
    X(CURLSHcode, curl_share_cleanup, (CURLSH * share))                                           \
    X(CURLSHcode, curl_share_setopt, (CURLSH * share, CURLSHoption option, ...))

// The loaded functions; written once under pthread_once, read-only afterwards.
static struct {
#define RC_FIELD(type, name, parameters) type(*name) parameters;
    RC_CURL_FUNCTIONS(RC_FIELD)
#undef RC_FIELD
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];
static int loaded;

static void load_library(void) {
    void *library = dlopen(RC_CURL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "%s", reason ? reason : RC_CURL_LIBRARY " could not be opened");
        return;
    }
#define RC_RESOLVE(type, name, parameters)                                                        \
    *(void **)&curl.name = dlsym(library, #name);                                                 \
    if (!curl.name) {                                                                             \
        snprintf(load_error, sizeof load_error, "%s has no function %s (libcurl 7.68 or later is needed)", \
                 RC_CURL_LIBRARY, #name);                                                         \
        return;                                                                                   \
    }
    RC_CURL_FUNCTIONS(RC_RESOLVE)
#undef RC_RESOLVE
    CURLcode code = curl.curl_global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "curl_global_init failed: %s", curl.curl_easy_strerror(code));
        return;
    }
    loaded = 1;
}

const char *rc_curl_load(void) {
    pthread_once(&load_once, load_library);
    return loaded ? 0 : load_error;
}

CURL *rc_easy_init(void) { return curl.curl_easy_init(); }
void rc_easy_cleanup(CURL *handle) { curl.curl_easy_cleanup(handle); }
const char *rc_easy_strerror(CURLcode code) { return curl.curl_easy_strerror(code); }
struct curl_slist *rc_slist_append(struct curl_slist *list, const char *line) {
    return curl.curl_slist_append(list, line);
}
void rc_slist_free_all(struct curl_slist *list) { curl.curl_slist_free_all(list); }
CURLM *rc_multi_init(void) { return curl.curl_multi_init(); }
CURLMcode rc_multi_cleanup(CURLM *multi) { return curl.curl_multi_cleanup(multi); }
CURLMcode rc_multi_add_handle(CURLM *multi, CURL *handle) { return curl.curl_multi_add_handle(multi, handle); }
CURLMcode rc_multi_remove_handle(CURLM *multi, CURL *handle) { return curl.curl_multi_remove_handle(multi, handle); }
CURLMcode rc_multi_perform(CURLM *multi, int *running) { return curl.curl_multi_perform(multi, running); }
CURLMcode rc_multi_poll(CURLM *multi, int timeout_ms) { return curl.curl_multi_poll(multi, 0, 0, timeout_ms, 0); }
CURLMcode rc_multi_wakeup(CURLM *multi) { return curl.curl_multi_wakeup(multi); }
CURLMsg *rc_multi_info_read(CURLM *multi, int *left) { return curl.curl_multi_info_read(multi, left); }
CURLSH *rc_share_init(void) { return curl.curl_share_init(); }
CURLSHcode rc_share_cleanup(CURLSH *share) { return curl.curl_share_cleanup(share); }

CURLcode rc_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl.curl_easy_setopt(handle, option, value);
}

CURLcode rc_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl.curl_easy_setopt(handle, option, value);
}

CURLcode rc_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl.curl_easy_setopt(handle, option, value);
}

CURLcode rc_easy_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback callback) {
    return curl.curl_easy_setopt(handle, option, callback);
}

CURLcode rc_easy_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = length;
    blob.flags = CURL_BLOB_COPY;
    return curl.curl_easy_setopt(handle, option, &blob);
}

CURLcode rc_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl.curl_easy_getinfo(handle, info, value);
}

CURLcode rc_easy_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl.curl_easy_getinfo(handle, info, value);
}

CURLMcode rc_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl.curl_multi_setopt(multi, option, value);
}

CURLSHcode rc_share_setopt_long(CURLSH *share, CURLSHoption option, long value) {
    return curl.curl_share_setopt(share, option, value);
}

const char *rc_curl_default_ca_file(void) {
    curl_version_info_data *info = curl.curl_version_info(CURLVERSION_NOW);
#if LIBCURL_VERSION_NUM >= 0x074600
    if (info->age >= CURLVERSION_SEVENTH) return info->cainfo;
#endif
    (void)info;
    return 0;
}

#if defined(__linux__)
#include <math.h>
/// The Swift runtime's hypotf, bound here (the executable links with --wrap=hypotf) instead of
/// glibc's hypotf@GLIBC_2.35, so the binary runs on glibc 2.34. Exact to float precision: the
/// squares of two floats cannot overflow a double.
float __wrap_hypotf(float x, float y) {
    return (float)sqrt((double)x * (double)x + (double)y * (double)y);
}
#endif
