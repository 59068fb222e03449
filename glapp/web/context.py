def glapp_context(request):
    return {}
