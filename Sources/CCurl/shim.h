// libcurl's public header, for the CCurl system-library target (pkg-config: libcurl).
#include <curl/curl.h>
