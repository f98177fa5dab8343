/* The scratch file of fuzz.h: targets whose API reads a path (config loader,
 * input reader) get each input written to one file in a private temporary
 * folder, which is removed when the process exits. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char scratch_dir[4096];
static char scratch_path[4096 + 256];

/* Removes the scratch file and folder; registered with atexit. */
static void scratch_cleanup(void)
{
    if (scratch_path[0])
        unlink(scratch_path);
    if (scratch_dir[0])
        rmdir(scratch_dir);
}

const char *fuzz_scratch_file(const char *name, const uint8_t *data, size_t size)
{
    if (!scratch_dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(scratch_dir, sizeof scratch_dir, "%s/docpipe-fuzz-XXXXXX",
                 tmp && tmp[0] ? tmp : "/tmp");
        if (!mkdtemp(scratch_dir)) {
            fprintf(stderr, "fuzz: %s: cannot make a temporary folder (%s)\n", scratch_dir,
                    strerror(errno));
            abort();
        }
        atexit(scratch_cleanup);
    }
    if (scratch_path[0])
        unlink(scratch_path);
    snprintf(scratch_path, sizeof scratch_path, "%s/%s", scratch_dir, name);
    int fd = open(scratch_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        fprintf(stderr, "fuzz: %s: cannot write (%s)\n", scratch_path, strerror(errno));
        abort();
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf(stderr, "fuzz: %s: cannot write (%s)\n", scratch_path, strerror(errno));
            abort();
        }
        done += (size_t)n;
    }
    close(fd);
    return scratch_path;
}
