/* mimalloc port (k23): mimalloc registers a thread-exit callback through a
 * pthread key; kernel harts never exit, so the key does nothing. */
#ifndef K23_MIMALLOC_PTHREAD_H
#define K23_MIMALLOC_PTHREAD_H
typedef unsigned pthread_key_t;
typedef struct { int unused; } pthread_mutex_t;
#define PTHREAD_MUTEX_INITIALIZER { 0 }
int pthread_key_create(pthread_key_t* key, void (*destructor)(void*));
int pthread_key_delete(pthread_key_t key);
int pthread_setspecific(pthread_key_t key, const void* value);
void* pthread_getspecific(pthread_key_t key);
int pthread_mutex_lock(pthread_mutex_t* mutex);
int pthread_mutex_unlock(pthread_mutex_t* mutex);
#endif
