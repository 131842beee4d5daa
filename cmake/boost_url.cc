// The one translation unit that compiles Boost.URL's sources (see CMakeLists.txt).
#include <boost/url/src.hpp>
