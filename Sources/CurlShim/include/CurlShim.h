// libcurl, loaded at run time: rc_curl_load opens the shared library on first use (a run that
// fails on its inputs never maps libcurl, OpenSSL and their ~30 dependencies), and every other
// function here calls into it. Also typed wrappers around libcurl's variadic functions, which
// Swift cannot call (and, in CurlShim.c, the glibc-floor wrapper __wrap_hypotf).
#ifndef ROTATE_CREDENTIAL_CURL_SHIM_H
#define ROTATE_CREDENTIAL_CURL_SHIM_H

#include <curl/curl.h>

/// The shared library loaded, by its soname.
#if defined(__APPLE__)
#define RC_CURL_LIBRARY "libcurl.4.dylib"
#else
#define RC_CURL_LIBRARY "libcurl.so.4"
#endif

/// Loads RC_CURL_LIBRARY and runs curl_global_init, once per process (thread-safe). Returns NULL
/// when libcurl is ready, else why it is not (the loader's message, or the function it lacks).
/// Every other function below may be called only after this returned NULL.
const char *rc_curl_load(void);

/// curl_easy_init.
CURL *rc_easy_init(void);
/// curl_easy_cleanup.
void rc_easy_cleanup(CURL *handle);
/// curl_easy_strerror.
const char *rc_easy_strerror(CURLcode code);
/// curl_slist_append.
struct curl_slist *rc_slist_append(struct curl_slist *list, const char *line);
/// curl_slist_free_all.
void rc_slist_free_all(struct curl_slist *list);
/// curl_multi_init.
CURLM *rc_multi_init(void);
/// curl_multi_cleanup.
CURLMcode rc_multi_cleanup(CURLM *multi);
/// curl_multi_add_handle.
CURLMcode rc_multi_add_handle(CURLM *multi, CURL *handle);
/// curl_multi_remove_handle.
CURLMcode rc_multi_remove_handle(CURLM *multi, CURL *handle);
/// curl_multi_perform.
CURLMcode rc_multi_perform(CURLM *multi, int *running);
/// curl_multi_poll without extra descriptors.
CURLMcode rc_multi_poll(CURLM *multi, int timeout_ms);
/// curl_multi_wakeup.
CURLMcode rc_multi_wakeup(CURLM *multi);
/// curl_multi_info_read.
CURLMsg *rc_multi_info_read(CURLM *multi, int *left);
/// curl_share_init.
CURLSH *rc_share_init(void);
/// curl_share_cleanup.
CURLSHcode rc_share_cleanup(CURLSH *share);

/// curl_easy_setopt with a long argument.
CURLcode rc_easy_setopt_long(CURL *handle, CURLoption option, long value);
/// curl_easy_setopt with a pointer argument (strings are copied by libcurl, lists and blobs are not).
CURLcode rc_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value);
/// curl_easy_setopt with a curl_off_t argument.
CURLcode rc_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);
/// curl_easy_setopt with a write or header callback.
CURLcode rc_easy_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback callback);
/// curl_easy_setopt with a blob option (CURLOPT_CAINFO_BLOB…): libcurl copies the `length` bytes.
CURLcode rc_easy_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length);
/// curl_easy_getinfo for a long.
CURLcode rc_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
/// curl_easy_getinfo for a curl_off_t.
CURLcode rc_easy_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value);
/// curl_multi_setopt with a long argument.
CURLMcode rc_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
/// curl_share_setopt with a long argument.
CURLSHcode rc_share_setopt_long(CURLSH *share, CURLSHoption option, long value);
/// The CA bundle path libcurl was built with, or NULL.
const char *rc_curl_default_ca_file(void);

/// Proxy authentication: whatever the proxy offers (Basic, Digest, NTLM, Negotiate).
static const long RC_CURLAUTH_ANY = (long)CURLAUTH_ANY;
/// Size of the error buffer (CURLOPT_ERRORBUFFER).
static const int RC_CURL_ERROR_SIZE = CURL_ERROR_SIZE;

#endif
