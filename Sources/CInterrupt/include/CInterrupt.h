/*
 * CInterrupt: removes temporary report files when segscore is interrupted.
 *
 * A SIGINT, SIGTERM, SIGHUP or SIGPIPE handler (sigaction) unlinks every registered path, then
 * restores the signal's default disposition and re-raises it, so segscore dies of that signal
 * and its parent sees it (WIFSIGNALED; a shell's $? is 128 + the number, e.g. 141 for SIGPIPE in
 * `segscore evaluate --csv - | head` once head has left, and no message is printed). The handler
 * only calls async-signal-safe functions (unlink, sigaction, pthread_sigmask, raise) on a fixed
 * table, so it is safe wherever the signal lands. The table is the process's one piece of
 * global state, which signal handling needs by nature.
 *
 * While the reports of a run are renamed into place (segscore_interrupt_hold … release), a signal
 * is only noted: the renames finish, so the reports of one run are replaced together or not at all,
 * and release then removes the registered files and dies of the signal.
 */
#ifndef CINTERRUPT_H
#define CINTERRUPT_H

/** Installs the handler for SIGINT, SIGTERM, SIGHUP and SIGPIPE (idempotent). */
void segscore_interrupt_install(void);

/** Registers a temporary file to remove on interrupt. Returns a slot (>= 0), or -1 if the table
 *  is full or the path too long (the file is then not cleaned up, nothing else changes). */
int segscore_interrupt_register(const char *path);

/** Forgets a slot once its file was renamed or removed. */
void segscore_interrupt_unregister(int slot);

/** From now on such a signal is noted, not acted on (one holder at a time). */
void segscore_interrupt_hold(void);

/** Ends a hold: when a signal arrived meanwhile, removes the registered files and dies of that
 *  signal (default disposition, re-raised); otherwise returns. */
void segscore_interrupt_release(void);

#endif
