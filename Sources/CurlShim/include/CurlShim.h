// Typed wrappers around libcurl's variadic functions, which Swift cannot call (and, in
// CurlShim.c, the glibc-floor wrapper __wrap_hypotf).
#ifndef ROTATE_CREDENTIAL_CURL_SHIM_H
#define ROTATE_CREDENTIAL_CURL_SHIM_H

#include <curl/curl.h>

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
/// curl_easy_getinfo for a pointer (the easy handle's private pointer).
CURLcode rc_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);
/// curl_multi_setopt with a long argument.
CURLMcode rc_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
/// curl_share_setopt with a long argument.
CURLSHcode rc_share_setopt_long(CURLSH *share, CURLSHoption option, long value);
/// The version number of the libcurl loaded at run time (0xXXYYZZ).
unsigned int rc_curl_version_number(void);
/// The CA bundle path libcurl was built with, or NULL.
const char *rc_curl_default_ca_file(void);

/// Proxy authentication: whatever the proxy offers (Basic, Digest, NTLM, Negotiate).
static const long RC_CURLAUTH_ANY = (long)CURLAUTH_ANY;
/// curl_global_init flags.
static const long RC_CURL_GLOBAL_DEFAULT = CURL_GLOBAL_DEFAULT;
/// Size of the error buffer (CURLOPT_ERRORBUFFER).
static const int RC_CURL_ERROR_SIZE = CURL_ERROR_SIZE;

#endif
