
a


service.name

frontendA?
[ÿ÷˜Òi¶3?Æîá›~ÃÁ±t*GET /dispatch09¸1[ŠpA¸ş&aŠp