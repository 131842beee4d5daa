# zk_metrics: the controller's Prometheus metrics (metrics.h). Included by
# src/controller/CMakeLists.txt. prometheus-cpp core only (registry + text serializer); the
# civetweb "pull" exposer is not used: src/server serves /metrics.
# GLOBAL: zk_metrics is static, so consumers in other folders (src/app) link the imported
# target too, and must be able to see it.
find_package(prometheus-cpp CONFIG REQUIRED GLOBAL)

add_library(zk_metrics STATIC ${CMAKE_CURRENT_LIST_DIR}/metrics.cc)
target_include_directories(zk_metrics PUBLIC ${CMAKE_CURRENT_LIST_DIR}/..)
target_link_libraries(zk_metrics PRIVATE prometheus-cpp::core)

zk_unit_test(metrics_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/metrics_test.cc LIBS zk_metrics)
