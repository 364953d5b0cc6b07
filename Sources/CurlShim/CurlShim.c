#include "CurlShim.h"

CURLcode rc_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode rc_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode rc_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode rc_easy_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

CURLcode rc_easy_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = length;
    blob.flags = CURL_BLOB_COPY;
    return curl_easy_setopt(handle, option, &blob);
}

CURLcode rc_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode rc_easy_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode rc_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLMcode rc_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

CURLSHcode rc_share_setopt_long(CURLSH *share, CURLSHoption option, long value) {
    return curl_share_setopt(share, option, value);
}

unsigned int rc_curl_version_number(void) {
    return curl_version_info(CURLVERSION_NOW)->version_num;
}

const char *rc_curl_default_ca_file(void) {
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
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
