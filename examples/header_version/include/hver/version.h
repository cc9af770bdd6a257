#ifndef HVER_VERSION_H
#define HVER_VERSION_H

#define HVER_VERSION "2.3.1"

#endif
