#include "CInterrupt.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

enum { SLOTS = 64, PATH_CAPACITY = 4096 };

static char paths[SLOTS][PATH_CAPACITY];
static volatile sig_atomic_t used[SLOTS];
static volatile sig_atomic_t installed;
static volatile sig_atomic_t holding;
static volatile sig_atomic_t pending;

/*
 * Removes the registered files, then dies of signal `number` itself: the default disposition is
 * restored and the signal re-raised, so the parent sees death by that signal (WIFSIGNALED; a
 * shell reports $? = 128 + n), as if segscore had installed no handler. Only async-signal-safe
 * calls (unlink, sigaction, sigprocmask, raise, _exit).
 */
static void remove_and_die(int number) {
    for (int i = 0; i < SLOTS; i++) {
        if (used[i]) unlink(paths[i]);
    }
    struct sigaction standard;
    memset(&standard, 0, sizeof standard);
    standard.sa_handler = SIG_DFL;
    sigemptyset(&standard.sa_mask);
    sigaction(number, &standard, NULL);
    /* Inside the handler the signal is blocked: unblock it so the raise takes effect now. */
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, number);
    pthread_sigmask(SIG_UNBLOCK, &only, NULL);
    raise(number);
    /* Not reached for SIGINT, SIGTERM, SIGHUP or SIGPIPE, whose default action ends the process. */
    _exit(128 + number);
}

static void on_interrupt(int number) {
    if (holding) {
        pending = number;
        return;
    }
    remove_and_die(number);
}

void segscore_interrupt_install(void) {
    if (installed) return;
    installed = 1;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    /* SIGHUP: the terminal went away; SIGPIPE: stdout (`--csv -`) was closed by its reader. Both
     * end the run as the shell expects (death by the signal, no message), without leaving
     * temporaries. */
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
    sigaction(SIGPIPE, &action, NULL);
    /* A parent may have started us with these signals blocked (test runners do): unblock them,
     * before any worker thread exists, so every thread inherits the open mask. */
    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGHUP);
    sigaddset(&handled, SIGPIPE);
    pthread_sigmask(SIG_UNBLOCK, &handled, NULL);
}

int segscore_interrupt_register(const char *path) {
    size_t length = strlen(path);
    if (length >= PATH_CAPACITY) return -1;
    /* Slots are claimed by the caller's lock in Swift; the flag is set after the copy. */
    for (int i = 0; i < SLOTS; i++) {
        if (!used[i]) {
            memcpy(paths[i], path, length + 1);
            used[i] = 1;
            return i;
        }
    }
    return -1;
}

void segscore_interrupt_unregister(int slot) {
    if (slot >= 0 && slot < SLOTS) used[slot] = 0;
}

void segscore_interrupt_hold(void) {
    holding = 1;
}

void segscore_interrupt_release(void) {
    holding = 0;
    if (pending) remove_and_die(pending);
}
