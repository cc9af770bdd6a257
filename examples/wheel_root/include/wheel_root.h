/* A header installed into the environment's include folder. */
#define WHEEL_ROOT 1
