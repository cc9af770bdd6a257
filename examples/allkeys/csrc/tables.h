/* Reached by a relative #include only; listed in `depends`. */
#define FROM_DEPENDS_HEADER 13
