/* Found through include-dirs = ["include"]. */
#define FROM_INCLUDE_DIR 11
