/* Found through -I conf only; the port comes from -DWATCH_PORT=N. */
#ifndef WATCH_PORT
#error "compile with -DWATCH_PORT=N"
#endif
#define WATCH_LIMIT 3
