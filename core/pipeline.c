/* Loading, validating and initialising the chain of stages (pipeline.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docpipe/alloc.h"
#include "host_internal.h"
#include "options.h"
#include "pipeline.h"

dp_status dp__pipeline_search_path(const dp__config_t *cfg, const char *builtin_dir,
                                   dp__search_path_t *sp)
{
    dp_status rc = DP_OK;
    const char *env = getenv("DOCPIPE_PLUGIN_PATH");
    if (env && (rc = dp__search_path_add_list(sp, env)) != DP_OK)
        return rc;
    for (size_t i = 0; cfg && cfg->plugin_path && cfg->plugin_path[i]; i++)
        if ((rc = dp__search_path_add(sp, cfg->plugin_path[i])) != DP_OK)
            return rc;
    if (builtin_dir)
        rc = dp__search_path_add(sp, builtin_dir);
    return rc;
}

dp_status dp__pipeline_load(const dp__config_t *cfg, const dp__search_path_t *sp,
                            const char *data_dir, int verbosity, dp__pipeline_t **out,
                            dp_buf_t *err)
{
    dp_status rc = DP_ENOMEM;
    *out = NULL;
    dp__pipeline_t *p = dp_calloc(1, sizeof *p);
    if (!p)
        return DP_ENOMEM;
    p->stages = dp_calloc(cfg->n_stages, sizeof *p->stages);
    p->run_info = json_object();
    if (!p->stages || !p->run_info)
        goto fail;
    p->first_ordered = cfg->n_stages;
    for (size_t i = 0; i < cfg->n_stages; i++) {
        const dp__stage_config_t *sc = &cfg->stages[i];
        dp__stage_t *st = &p->stages[i];
        p->n_stages = i + 1;
        st->name = dp_strdup(sc->name);
        if (!st->name)
            goto fail;
        dp_buf_t lerr = DP_BUF_INIT;
        rc = dp__plugin_find(sp, sc->plugin, &st->lib, &lerr);
        if (rc != DP_OK) {
            dp_buf_printf(err, "%s: stages[%zu].plugin: %s", cfg->path, i,
                          lerr.data ? lerr.data : dp_strerror(rc));
            dp_buf_free(&lerr);
            goto fail;
        }
        dp_buf_free(&lerr);
        char where[64];
        snprintf(where, sizeof where, "stages[%zu].options", i);
        dp_buf_t oerr = DP_BUF_INIT;
        rc = dp__options_validate(st->lib.desc->options, sc->options, where, &st->options, &oerr);
        if (rc != DP_OK) {
            dp_buf_printf(err, "%s: %s", cfg->path, oerr.data ? oerr.data : dp_strerror(rc));
            dp_buf_free(&oerr);
            goto fail;
        }
        dp_buf_free(&oerr);
        st->host = dp__host_new(st->name, cfg->dir, data_dir, p->run_info, verbosity);
        if (!st->host) {
            rc = DP_ENOMEM;
            goto fail;
        }
        if (st->lib.desc->threading == DP_THREADING_ORDERED && p->first_ordered == cfg->n_stages)
            p->first_ordered = i;
    }
    *out = p;
    return DP_OK;
fail:
    dp__pipeline_free(p);
    return rc;
}

dp_status dp__pipeline_init(dp__pipeline_t *p, dp_buf_t *err)
{
    for (size_t i = 0; i < p->n_stages; i++) {
        dp__stage_t *st = &p->stages[i];
        if (!st->lib.desc->init) {
            st->inited = true;
            continue;
        }
        dp__host_clear_error();
        dp_status rc = st->lib.desc->init(st->options, st->host, &st->state);
        if (rc != DP_OK) {
            dp_buf_printf(err, "%s: %s", st->name, dp__host_take_error(rc));
            return rc;
        }
        st->inited = true;
    }
    return DP_OK;
}

void dp__pipeline_free(dp__pipeline_t *p)
{
    if (!p)
        return;
    for (size_t i = p->n_stages; i-- > 0;) {
        dp__stage_t *st = &p->stages[i];
        if (st->inited && st->lib.desc->fini)
            st->lib.desc->fini(st->state);
    }
    for (size_t i = 0; i < p->n_stages; i++) {
        dp__stage_t *st = &p->stages[i];
        dp__host_free(st->host);
        json_decref(st->options);
        if (st->lib.handle)
            dp__plugin_unload(&st->lib);
        dp_free(st->name);
    }
    dp_free(p->stages);
    json_decref(p->run_info);
    dp_free(p);
}
