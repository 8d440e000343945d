/*
 * The step agent, native: the same program as agent-main.ts (read that first), built by
 * scripts/build-agent.mjs as a static Linux executable that runs in any job container of
 * the host's architecture, with or without node. It is up ~1 ms after the container's
 * start, where node takes ~65 ms (the first step waits for it), and it starts each step's
 * process with a plain fork and exec.
 *
 * What it must reproduce (as docker exec gives a process, or hand the request back):
 * - environment: its own, less what the start script's shell added (PWD, OLDPWD, SHLVL,
 *   _), HOME of the exec's user when the container sets none, then the request's;
 * - user: uid and primary gid as Docker reads /etc/passwd and /etc/group, no
 *   supplementary groups (a user that has some is handed back), as root only;
 * - stdin /dev/null, stdout and stderr as two pipes, signal dispositions and mask reset,
 *   the exit code (128 + n for a signal), the end once the process has exited and its
 *   pipes are closed, or GRACE_MS after the exit while a background process holds them;
 * - anything that fails before the process runs (no such program or folder) is handed
 *   back, so that Docker's own error is what the user sees.
 *
 * Frames both ways: type (1 byte), request id (4, big-endian), payload length (4), payload.
 * START's payload is NUL-terminated fields: "1" when the container sets no HOME, the user
 * ("" for the container's), the working folder ("" for the container's), argc, argv, then
 * NAME=value for each variable. SIGNAL's: the pid, the signal's name. RENAME's: a path and
 * its new name (rename(2), as the agent's user). The answers' payloads are JSON: EXIT
 * {"code":n}, HAND_BACK {"reason":"..."}, SIGNALLED and RENAMED {"ok":bool}.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { START = 1, SIGNAL = 2, RENAME = 3 };
enum { STDOUT_FRAME = 1, STDERR_FRAME = 2, EXIT_FRAME = 3, HAND_BACK = 4, SIGNALLED = 5, RENAMED = 6 };
#define GRACE_MS 2000
#define MAX_CHILDREN 64

extern char **environ;

struct child {
  int used;
  uint32_t id;
  pid_t pid;
  int fd[2]; /* stdout, stderr; -1 once closed */
  int exited;
  int code;
  int64_t deadline; /* the grace's end, once exited with a pipe open */
};

static int sock = -1;
static int wake[2]; /* SIGCHLD's self-pipe */
static struct child children[MAX_CHILDREN];
static char **base_env;
static size_t base_envc;

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void write_all(const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(sock, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(0); /* the engine is gone: so is the job */
    p += n;
    len -= (size_t)n;
  }
}

static void send_frame(int type, uint32_t id, const void *body, size_t len) {
  unsigned char head[9];
  head[0] = (unsigned char)type;
  for (int i = 0; i < 4; i++) head[1 + i] = (unsigned char)(id >> (24 - 8 * i));
  for (int i = 0; i < 4; i++) head[5 + i] = (unsigned char)((uint32_t)len >> (24 - 8 * i));
  write_all(head, sizeof head);
  if (len) write_all(body, len);
}

static void hand_back(uint32_t id, const char *reason) {
  char json[512];
  size_t n = 0;
  n += (size_t)snprintf(json, sizeof json, "{\"reason\":\"");
  for (const char *r = reason; *r && n < sizeof json - 8; r++) {
    unsigned char c = (unsigned char)*r;
    if (c == '"' || c == '\\') json[n++] = '\\';
    json[n++] = c < 0x20 ? ' ' : (char)c;
  }
  n += (size_t)snprintf(json + n, sizeof json - n, "\"}");
  send_frame(HAND_BACK, id, json, n);
}

/* A file's lines split at ':' (as the TypeScript agent reads /etc/passwd and /etc/group). */
struct table {
  char *text;
  char **fields; /* every line's fields, NULL after each line */
};

static struct table read_table(const char *file) {
  struct table t = {0};
  FILE *f = fopen(file, "re");
  if (!f) return t;
  size_t cap = 4096, len = 0;
  t.text = malloc(cap);
  size_t n;
  while ((n = fread(t.text + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (len + 1 == cap) t.text = realloc(t.text, cap *= 2);
  }
  fclose(f);
  t.text[len] = 0;
  size_t nf = 2;
  for (size_t i = 0; i < len; i++) nf += t.text[i] == ':' || t.text[i] == '\n' ? 2 : 0;
  t.fields = calloc(nf + 2, sizeof(char *));
  size_t k = 0;
  char *line = t.text;
  for (;;) {
    char *end = strchr(line, '\n');
    if (end) *end = 0;
    char *field = line;
    for (;;) {
      t.fields[k++] = field;
      char *colon = strchr(field, ':');
      if (!colon) break;
      *colon = 0;
      field = colon + 1;
    }
    t.fields[k++] = NULL;
    if (!end) break;
    line = end + 1;
  }
  t.fields[k] = NULL;
  return t;
}

/* The next line's fields (NULL at the end) and how many it has. */
static char **next_line(char **at, size_t *count) {
  if (!at || !*at) return NULL;
  size_t n = 0;
  while (at[n]) n++;
  *count = n;
  return at;
}

static char **after(char **line, size_t count) { return line + count + 1; }

static void free_table(struct table *t) {
  free(t->text);
  free(t->fields);
}

static int numeric(const char *s) {
  if (!*s) return 0;
  for (; *s; s++)
    if (*s < '0' || *s > '9') return 0;
  return 1;
}

struct identity {
  int given; /* 0: no user given, run as the agent's own */
  uid_t uid;
  gid_t gid;
  char home[512];
};

/* Docker's reading of user[:group]; NULL, or why the request goes back. */
static const char *identity_of(const char *spec, struct identity *who, char *why, size_t whylen) {
  memset(who, 0, sizeof *who);
  if (!*spec) return NULL;
  who->given = 1;
  char user[256], *group = NULL;
  snprintf(user, sizeof user, "%s", spec);
  char *colon = strchr(user, ':');
  if (colon) {
    *colon = 0;
    group = colon + 1;
    char *more = strchr(group, ':'); /* user:group:more reads as user:group */
    if (more) *more = 0;
  }
  int num = numeric(user);
  struct table pw = read_table("/etc/passwd");
  char **entry = NULL;
  size_t count = 0;
  for (char **l = next_line(pw.fields, &count); l; l = next_line(after(l, count), &count)) {
    if (count >= 7 && strcmp(num ? l[2] : l[0], user) == 0) {
      entry = l;
      break;
    }
  }
  if (!entry && !num) {
    snprintf(why, whylen, "no user %s", user);
    free_table(&pw);
    return why;
  }
  who->uid = (uid_t)strtoul(entry ? entry[2] : user, NULL, 10);
  who->gid = entry ? (gid_t)strtoul(entry[3], NULL, 10) : 0;
  snprintf(who->home, sizeof who->home, "%s", entry && *entry[5] ? entry[5] : "/");
  struct table gr = read_table("/etc/group");
  const char *failed = NULL;
  if (group) {
    const char *g = numeric(group) ? group : NULL;
    for (char **l = next_line(gr.fields, &count); l && !g; l = next_line(after(l, count), &count))
      if (count >= 4 && strcmp(l[0], group) == 0) g = l[2];
    if (!g) {
      snprintf(why, whylen, "no group %s", group);
      failed = why;
    } else {
      who->gid = (gid_t)strtoul(g, NULL, 10);
    }
  }
  if (!failed && entry) {
    for (char **l = next_line(gr.fields, &count); l; l = next_line(after(l, count), &count)) {
      if (count < 4 || (gid_t)strtoul(l[2], NULL, 10) == who->gid) continue;
      char members[4096];
      snprintf(members, sizeof members, "%s", l[3]);
      for (char *m = strtok(members, ","); m; m = strtok(NULL, ","))
        if (strcmp(m, entry[0]) == 0) failed = "supplementary groups";
    }
  }
  free_table(&gr);
  free_table(&pw);
  return failed;
}

/* Sets NAME=value in a list built from the base environment, replacing NAME's entry. */
static void set_var(char **list, size_t *n, char *entry) {
  size_t key = strcspn(entry, "=");
  for (size_t i = 0; i < *n; i++) {
    if (strncmp(list[i], entry, key) == 0 && list[i][key] == '=') {
      list[i] = entry;
      return;
    }
  }
  list[(*n)++] = entry;
}

static struct child *free_slot(void) {
  for (int i = 0; i < MAX_CHILDREN; i++)
    if (!children[i].used) return &children[i];
  return NULL;
}

static void start(uint32_t id, char *body, size_t len) {
  /* The fields, each NUL-terminated. */
  size_t nfields = 0;
  for (size_t i = 0; i < len; i++) nfields += body[i] == 0;
  if (len == 0 || body[len - 1] != 0 || nfields < 5) return hand_back(id, "a malformed request");
  char **field = calloc(nfields + 1, sizeof(char *));
  for (size_t i = 0, k = 0; i < len; i += strlen(body + i) + 1) field[k++] = body + i;
  int default_home = strcmp(field[0], "1") == 0;
  const char *user = field[1], *workdir = field[2];
  size_t argc = strtoul(field[3], NULL, 10);
  if (argc == 0 || 4 + argc > nfields) {
    free(field);
    return hand_back(id, "a malformed request");
  }
  char **argv = calloc(argc + 1, sizeof(char *));
  for (size_t i = 0; i < argc; i++) argv[i] = field[4 + i];

  char why[300];
  struct identity who;
  const char *refused = identity_of(user, &who, why, sizeof why);
  int self = !who.given || (who.uid == getuid() && who.gid == getgid());
  if (!refused && !self && getuid() != 0) refused = "the agent cannot become that user";
  struct child *c = free_slot();
  if (!refused && !c) refused = "too many processes at once";
  if (refused) {
    free(argv);
    free(field);
    return hand_back(id, refused);
  }

  size_t nenv = 0;
  char **env = calloc(base_envc + (nfields - 4 - argc) + 2, sizeof(char *));
  for (size_t i = 0; i < base_envc; i++) env[nenv++] = base_env[i];
  char home[600];
  if (default_home && who.given) {
    snprintf(home, sizeof home, "HOME=%s", who.home);
    set_var(env, &nenv, home);
  }
  for (size_t i = 4 + argc; i < nfields; i++)
    if (field[i][0] != '=' && strchr(field[i], '=')) set_var(env, &nenv, field[i]);
  env[nenv] = NULL;

  int out[2] = {-1, -1}, err[2] = {-1, -1}, report[2] = {-1, -1};
  if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(report, O_CLOEXEC)) {
    int e = errno;
    for (int *fd = &out[0]; fd <= &out[1]; fd++) if (*fd >= 0) close(*fd);
    for (int *fd = &err[0]; fd <= &err[1]; fd++) if (*fd >= 0) close(*fd);
    free(env);
    free(argv);
    free(field);
    return hand_back(id, strerror(e));
  }
  pid_t pid = fork();
  int fork_error = pid < 0 ? errno : 0;
  if (pid == 0) {
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0 && null != 0) {
      dup2(null, 0);
      close(null);
    }
    dup2(out[1], 1);
    dup2(err[1], 2);
    int e = 0;
    if (*workdir && chdir(workdir) != 0) e = errno;
    if (!e && !self) {
      if (setgroups(0, NULL) != 0 && errno != EPERM) e = errno;
      if (!e && setgid(who.gid) != 0) e = errno;
      if (!e && setuid(who.uid) != 0) e = errno;
    }
    if (!e) {
      environ = env;
      execvp(argv[0], argv);
      e = errno;
    }
    while (write(report[1], &e, sizeof e) < 0 && errno == EINTR) {
    }
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  close(report[1]);
  int e = fork_error;
  if (pid > 0) {
    ssize_t n;
    while ((n = read(report[0], &e, sizeof e)) < 0 && errno == EINTR) {
    }
    if (n != sizeof e) e = 0;
  }
  close(report[0]);
  free(env);
  free(argv);
  free(field);
  if (e) {
    if (pid > 0) {
      int status;
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    close(out[0]);
    close(err[0]);
    return hand_back(id, strerror(e));
  }
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  fcntl(err[0], F_SETFL, O_NONBLOCK);
  *c = (struct child){.used = 1, .id = id, .pid = pid, .fd = {out[0], err[0]}, .exited = 0, .code = 0, .deadline = 0};
}

static void finish(struct child *c) {
  for (int k = 0; k < 2; k++) {
    if (c->fd[k] >= 0) close(c->fd[k]);
    c->fd[k] = -1;
  }
  char json[32];
  int n = snprintf(json, sizeof json, "{\"code\":%d}", c->code);
  send_frame(EXIT_FRAME, c->id, json, (size_t)n);
  c->used = 0;
}

static int signal_number(const char *name) {
  static const struct {
    const char *name;
    int number;
  } known[] = {{"SIGTERM", SIGTERM}, {"SIGKILL", SIGKILL}, {"SIGINT", SIGINT}, {"SIGHUP", SIGHUP}, {"SIGQUIT", SIGQUIT}, {"SIGUSR1", SIGUSR1}, {"SIGUSR2", SIGUSR2}};
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strcmp(known[i].name, name) == 0) return known[i].number;
  return 0;
}

static void signal_request(uint32_t id, char *body, size_t len) {
  if (len == 0 || body[len - 1] != 0) return;
  pid_t pid = (pid_t)strtol(body, NULL, 10);
  int number = strlen(body) + 1 < len ? signal_number(body + strlen(body) + 1) : 0;
  /* Not allowed (an agent that is not root), no such process, or no such signal: no. */
  int ok = number != 0 && pid > 0 && kill(pid, 0) == 0;
  /* The answer goes out first: once the container's init has the signal, the agent may
   * be ended with the container before it could write anything. */
  send_frame(SIGNALLED, id, ok ? "{\"ok\":true}" : "{\"ok\":false}", ok ? 11 : 12);
  if (ok) kill(pid, number);
}

/* A folder moved into place without a process (actions/checkout's snapshot): rename(2). */
static void rename_request(uint32_t id, char *body, size_t len) {
  size_t first = len ? strnlen(body, len) + 1 : 0;
  int ok = len > 0 && body[len - 1] == 0 && first < len && rename(body, body + first) == 0;
  send_frame(RENAMED, id, ok ? "{\"ok\":true}" : "{\"ok\":false}", ok ? 11 : 12);
}

static void on_child(int s) {
  (void)s;
  int saved = errno;
  while (write(wake[1], "", 1) < 0 && errno == EINTR) {
  }
  errno = saved;
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (int i = 0; i < MAX_CHILDREN; i++) {
      struct child *c = &children[i];
      if (!c->used || c->pid != pid || c->exited) continue;
      c->exited = 1;
      c->code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
      if (c->fd[0] < 0 && c->fd[1] < 0) finish(c);
      else c->deadline = now_ms() + GRACE_MS;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2) return 1;
  /* The environment, less what the start script's shell added. */
  size_t n = 0;
  while (environ[n]) n++;
  base_env = calloc(n + 1, sizeof(char *));
  static const char *const added[] = {"PWD=", "OLDPWD=", "SHLVL=", "_="};
  for (size_t i = 0; i < n; i++) {
    int drop = 0;
    for (size_t k = 0; k < sizeof added / sizeof added[0]; k++) drop |= strncmp(environ[i], added[k], strlen(added[k])) == 0;
    if (!drop) base_env[base_envc++] = environ[i];
  }

  signal(SIGPIPE, SIG_IGN);
  if (pipe2(wake, O_CLOEXEC | O_NONBLOCK)) return 1;
  struct sigaction sa = {0};
  sa.sa_handler = on_child;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);

  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(argv[1]) >= sizeof addr.sun_path) return 1;
  strcpy(addr.sun_path, argv[1]);
  sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  /* Never connected: exit 1, and the start script tells the engine not to wait for it. */
  if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) return 1;

  size_t cap = 65536, have = 0;
  unsigned char *pending = malloc(cap);
  static char chunk[65536];
  for (;;) {
    struct pollfd fds[2 + 2 * MAX_CHILDREN];
    struct child *owner[2 + 2 * MAX_CHILDREN];
    int which[2 + 2 * MAX_CHILDREN];
    nfds_t nfds = 0;
    fds[nfds++] = (struct pollfd){.fd = sock, .events = POLLIN};
    fds[nfds++] = (struct pollfd){.fd = wake[0], .events = POLLIN};
    int64_t deadline = 0;
    for (int i = 0; i < MAX_CHILDREN; i++) {
      struct child *c = &children[i];
      if (!c->used) continue;
      if (c->exited && (deadline == 0 || c->deadline < deadline)) deadline = c->deadline;
      for (int k = 0; k < 2; k++) {
        if (c->fd[k] < 0) continue;
        owner[nfds] = c;
        which[nfds] = k;
        fds[nfds++] = (struct pollfd){.fd = c->fd[k], .events = POLLIN};
      }
    }
    int timeout = -1;
    if (deadline) {
      int64_t left = deadline - now_ms();
      timeout = left < 0 ? 0 : (int)left;
    }
    int ready = poll(fds, nfds, timeout);
    if (ready < 0 && errno != EINTR) return 1;

    /* The children's output first: a process's last lines go out before its end. */
    for (nfds_t i = 2; ready > 0 && i < nfds; i++) {
      if (!fds[i].revents) continue;
      struct child *c = owner[i];
      int k = which[i];
      if (!c->used || c->fd[k] < 0) continue; /* ended by its other pipe's close */
      ssize_t got = read(c->fd[k], chunk, sizeof chunk);
      if (got > 0) {
        send_frame(k == 0 ? STDOUT_FRAME : STDERR_FRAME, c->id, chunk, (size_t)got);
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(c->fd[k]);
        c->fd[k] = -1;
        if (c->exited && c->fd[0] < 0 && c->fd[1] < 0) finish(c);
      }
    }
    if (ready > 0 && fds[1].revents) {
      char drain[64];
      while (read(wake[0], drain, sizeof drain) > 0) {
      }
    }
    reap();
    int64_t t = now_ms();
    for (int i = 0; i < MAX_CHILDREN; i++) {
      struct child *c = &children[i];
      /* A background process holds the pipes: the step ends GRACE_MS after its exit. */
      if (c->used && c->exited && c->deadline <= t) finish(c);
    }

    if (ready > 0 && fds[0].revents) {
      if (have + 65536 > cap) pending = realloc(pending, cap = (have + 65536) * 2);
      ssize_t got = read(sock, pending + have, 65536);
      if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) return 0;
      if (got > 0) have += (size_t)got;
      size_t at = 0;
      while (have - at >= 9) {
        unsigned char *f = pending + at;
        uint32_t id = (uint32_t)f[1] << 24 | (uint32_t)f[2] << 16 | (uint32_t)f[3] << 8 | f[4];
        uint32_t len = (uint32_t)f[5] << 24 | (uint32_t)f[6] << 16 | (uint32_t)f[7] << 8 | f[8];
        if (have - at - 9 < len) break;
        if (f[0] == START) start(id, (char *)f + 9, len);
        if (f[0] == SIGNAL) signal_request(id, (char *)f + 9, len);
        if (f[0] == RENAME) rename_request(id, (char *)f + 9, len);
        at += 9 + len;
      }
      memmove(pending, pending + at, have - at);
      have -= at;
    }
  }
}
