/*
 * CHeap: gives memory the allocator holds but no longer uses back to the system.
 *
 * The dataset scan builds and frees short-lived tables (listings, sort orders, key ranges).
 * glibc keeps freed blocks in its arenas, so without this call they would stay in the resident
 * set while the long decoding phase runs on top of them. Elsewhere it does nothing.
 */
#ifndef CHEAP_H
#define CHEAP_H

/** Returns free heap pages to the system (glibc malloc_trim); a no-op on other C libraries. */
void segscore_heap_trim(void);

#endif
