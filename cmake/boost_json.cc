// The one translation unit that compiles Boost.JSON's sources (see CMakeLists.txt).
#include <boost/json/src.hpp>
