# dependency recipes (newlib, lwIP): see cmake/deps.cmake
