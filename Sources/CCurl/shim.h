// libcurl's public headers only: the binary does not link libcurl. CurlShim loads libcurl.so.4
// at run time, on the first request, and every call goes through its functions.
#include <curl/curl.h>
